import ArgumentParser
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices

/// `rapport user …`
struct UserGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users.",
        subcommands: [UserCreate.self, UserInvite.self, UserResetPassword.self])
}

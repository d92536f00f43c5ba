import ArgumentParser
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices

/// `rapport token …`
struct TokenGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [TokenCreate.self])
}

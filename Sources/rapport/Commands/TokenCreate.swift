import ArgumentParser
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore

/// `rapport token create`: prints the new token alone on the last line of standard output, once.
struct TokenCreate: EnvironmentCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API token for a user.")

    @Option(help: "The email of the user the token acts as") var email: String
    @Option(help: "A name to recognise the token by") var name: String = "CLI token"
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case email, name, database }

    func runAsync() async throws {
        let secret = try await withRuntime(try database.config(environment: environment)) { runtime in
            guard let user = try await runtime.services.accounts.user(email: email) else {
                throw RapportError(.notFound, "No user has the email \(email).")
            }
            let tokenName = try TokenName.validate(name)
            return try await runtime.services.tokens.create(
                workspaceID: user.workspaceID, userID: user.id, name: tokenName
            ).secret
        }
        print("Created API token \"\(name)\" for \(email). It is shown only once:")
        print(secret)
    }
}

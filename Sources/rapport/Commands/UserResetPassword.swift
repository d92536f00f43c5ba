import ArgumentParser
import RapportCore
import RapportServer
import RapportServices

/// `rapport user reset-password`: sets a new password for a user who lost theirs.
struct UserResetPassword: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-password", abstract: "Set a new password for a user.")

    @Option(help: "The user's email") var email: String
    @Option(help: "The new password (at least 8 characters)") var password: String
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case email, password, database }

    func runAsync() async throws {
        let line = try await withRuntime(try database.config(environment: environment)) { runtime in
            do {
                let user = try await AccountService(runtime.services).resetPassword(email: email, to: password)
                return "Set a new password for \(user.email)."
            } catch let error as RapportError where error.code == .invalid {
                throw RapportError(.invalid, error.fields.map { "--\($0.field): \($0.message)" }.joined(separator: " "))
            } catch let error as RapportError where error.code == .notFound {
                throw RapportError(.notFound, "No user has the email \(email).")
            }
        }
        print(line)
    }
}

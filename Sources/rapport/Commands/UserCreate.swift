import ArgumentParser
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore

/// `rapport user create`: a user in workspace NAME, creating the workspace (with this user as owner) when new.
struct UserCreate: EnvironmentCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a user.")

    @Option(help: "The user's email, unique across the installation") var email: String
    @Option(help: "The user's password (at least 8 characters)") var password: String
    @Option(help: "owner, admin or member (default: owner of a new workspace, member of an existing one)") var role:
        String?
    @Option(help: "Display name (default: the email)") var name: String?
    @Option(help: "Workspace name; may be left out while there is one workspace") var workspace: String?
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case email, password, role, name, workspace, database }

    func validate() throws {
        if let role, Role(rawValue: role) == nil { throw ValidationError("--role must be owner, admin or member.") }
    }

    func runAsync() async throws {
        let line = try await withRuntime(try database.config(environment: environment)) { runtime in
            let accounts = AccountService(runtime.services)
            let draft = UserDraft(email: email, name: name, role: role, password: password)
            let existing: Workspace?
            if let workspace {
                existing = try await runtime.services.accounts.workspace(named: workspace)
            } else {
                let all = try await runtime.services.accounts.allWorkspaces()
                guard all.count <= 1 else {
                    throw RapportError(.badRequest, "There are \(all.count) workspaces; name one with --workspace.")
                }
                existing = all.first
            }
            do {
                if let existing {
                    let user = try await accounts.createUser(workspaceID: existing.id, draft: draft, actor: nil)
                    return "Created \(user.role.rawValue) \(user.email) in workspace \(existing.name) (id \(user.id))."
                }
                let (created, user) = try await accounts.createWorkspace(name: workspace ?? "Default", owner: draft)
                return "Created workspace \(created.name) with owner \(user.email) (id \(user.id))."
            } catch let error as RapportError where error.code == .invalid {
                throw RapportError(.invalid, error.fields.map { "--\($0.field): \($0.message)" }.joined(separator: " "))
            }
        }
        print(line)
    }
}

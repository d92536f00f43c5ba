import ArgumentParser
import Foundation
import RapportCore
import RapportServer
import RapportServices

/// `rapport user invite`: makes an invitation link and prints it alone on the last line of standard
/// output, once (only its hash is stored); the inviter passes it on until Rapport sends mail.
struct UserInvite: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "Invite someone by a one-time sign-up link.")

    @Option(help: "The email of the person to invite") var email: String
    @Option(help: "owner, admin or member") var role: String = Role.member.rawValue
    @Option(help: "A name to offer on the sign-up page") var name: String?
    @Option(help: "Workspace name; may be left out while there is one workspace") var workspace: String?
    @Option(
        name: .customLong("public-url"),
        help:
            "The server's address the link starts with (default: $RAPPORT_PUBLIC_URL; without either, the path alone is printed)"
    ) var publicURL: String?
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case email, role, name, workspace, publicURL, database }

    func validate() throws {
        if Role(rawValue: role) == nil { throw ValidationError("--role must be owner, admin or member.") }
    }

    func runAsync() async throws {
        var config = try database.config(environment: environment)
        if let publicURL { config.publicURL = try AppConfig.publicURL(publicURL, name: "--public-url") }
        let (created, workspaceName, link) = try await withRuntime(config) { runtime in
            let target = try await WorkspaceChoice.resolve(workspace, runtime: runtime)
            let invites = InviteService(runtime.services)
            do {
                let created = try await invites.create(
                    workspaceID: target.id, InviteDraft(email: email, role: role, name: name), actor: nil)
                return (created, target.name, invites.link(token: created.token, origin: nil))
            } catch let error as RapportError where error.code == .invalid {
                throw RapportError(.invalid, error.fields.map { "--\($0.field): \($0.message)" }.joined(separator: " "))
            }
        }
        let expires = Timestamp.rfc3339(created.invite.expiresAt)
        print(
            "Invited \(created.invite.email) as \(created.invite.role.rawValue) of workspace \(workspaceName);"
                + " the link works once, until \(expires), and is shown only now:")
        print(link)
    }
}

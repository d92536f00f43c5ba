import Foundation
import RapportCore
import RapportHTTP
import RapportServices
import RapportStore

/// `rapport serve --demo`: a demo workspace and owner on an empty database.
package enum Demo {
    package static let email = "demo@rapport.local"
    package static let workspaceName = "Demo"

    /// What `--demo` did.
    package enum Outcome: Sendable {
        case created(email: String, password: String)
        case alreadyHasData
    }

    /// Creates the demo workspace and owner when the database has no workspace yet; changes nothing otherwise.
    package static func seed(_ runtime: Runtime, companies: Int = 300, contacts: Int = 2000) async throws -> Outcome {
        guard try await runtime.services.accounts.allWorkspaces().isEmpty else { return .alreadyHasData }
        let password = randomPassword()
        let (workspace, owner) = try await AccountService(runtime.services).createWorkspace(
            name: workspaceName,
            owner: UserDraft(email: email, name: "Demo Owner", role: nil, password: password))
        try await DemoData.fill(
            runtime, workspaceID: workspace.id, owner: owner.id, companies: companies, contacts: contacts)
        return .created(email: email, password: password)
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

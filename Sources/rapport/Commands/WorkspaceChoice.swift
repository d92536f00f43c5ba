import ArgumentParser
import Foundation
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore

/// `--workspace NAME`, or the only workspace.
enum WorkspaceChoice {
    static func resolve(_ name: String?, runtime: Runtime) async throws -> Workspace {
        if let name {
            guard let workspace = try await runtime.services.accounts.workspace(named: name) else {
                throw RapportError(.notFound, "There is no workspace named \(name).")
            }
            return workspace
        }
        let all = try await runtime.services.accounts.allWorkspaces()
        guard all.count == 1, let only = all.first else {
            throw RapportError(
                .badRequest,
                all.isEmpty
                    ? "There is no workspace yet." : "There are \(all.count) workspaces; name one with --workspace.")
        }
        return only
    }
}

import Foundation
import RapportCore
package import SQLKit

/// A workspace's own settings: its time zone (M0029), which relative dates in segments, quiet hours and
/// campaign schedules are read in.
package struct WorkspaceSettingsRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The workspace's IANA time zone (`UTC` unless changed); nil when there is no such workspace.
    package func timeZone(workspaceID: String, on database: (any SQLDatabase)? = nil) async throws -> String? {
        try await (database ?? store.database).raw(
            "SELECT time_zone FROM workspaces WHERE id = \(bind: workspaceID)"
        ).first()?.decode(column: "time_zone", as: String.self)
    }

    /// Sets the workspace's time zone (the caller checks the name).
    package func setTimeZone(workspaceID: String, _ name: String) async throws {
        try await store.transaction { database in
            try await database.raw(
                "UPDATE workspaces SET time_zone = \(bind: name) WHERE id = \(bind: workspaceID)"
            ).run()
        }
    }
}

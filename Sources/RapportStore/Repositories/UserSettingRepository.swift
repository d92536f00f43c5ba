import Foundation
import RapportCore
import SQLKit

/// A user's own settings, one text value per key.
package struct UserSettingRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    package func value(workspaceID: String, userID: String, key: String) async throws -> String? {
        try await store.database.raw(
            """
            SELECT value FROM user_settings
            WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID) AND key = \(bind: key)
            """
        ).first().map { try $0.decode(column: "value", as: String.self) }
    }

    package func set(workspaceID: String, userID: String, key: String, value: String) async throws {
        try await store.database.raw(
            """
            INSERT INTO user_settings (workspace_id, user_id, key, value, updated_at)
            VALUES (\(bind: workspaceID), \(bind: userID), \(bind: key), \(bind: value), \(bind: Timestamp.micros(Date())))
            ON CONFLICT (workspace_id, user_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """
        ).run()
    }
}

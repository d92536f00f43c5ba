import Foundation
package import RapportCore
package import SQLKit

/// A workspace's SMTP server and sender, and the addresses it no longer sends to.
package struct EmailSettingsRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The workspace's settings; nil while none are saved.
    package func find(workspaceID: String) async throws -> StoredEmailSettings? {
        guard
            let row = try await store.database.raw(
                """
                SELECT workspace_id, smtp_host, smtp_port, tls, username, password_sealed, from_address, from_name,
                    reply_to, updated_at
                FROM email_settings WHERE workspace_id = \(bind: workspaceID)
                """
            ).first()
        else { return nil }
        return StoredEmailSettings(
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            host: try row.decode(column: "smtp_host", as: String.self),
            port: try row.decode(column: "smtp_port", as: Int.self),
            tls: try row.decode(column: "tls", as: String.self),
            username: try row.decode(column: "username", as: String?.self),
            passwordSealed: try row.decode(column: "password_sealed", as: String?.self),
            fromAddress: try row.decode(column: "from_address", as: String.self),
            fromName: try row.decode(column: "from_name", as: String?.self),
            replyTo: try row.decode(column: "reply_to", as: String?.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    /// Writes the workspace's settings whole.
    package func save(_ settings: StoredEmailSettings) async throws {
        try await store.database.raw(
            """
            INSERT INTO email_settings (workspace_id, smtp_host, smtp_port, tls, username, password_sealed,
                from_address, from_name, reply_to, updated_at)
            VALUES (\(bind: settings.workspaceID), \(bind: settings.host), \(bind: settings.port), \(bind: settings.tls),
                    \(bind: settings.username), \(bind: settings.passwordSealed), \(bind: settings.fromAddress),
                    \(bind: settings.fromName), \(bind: settings.replyTo), \(bind: settings.updatedAt))
            ON CONFLICT (workspace_id) DO UPDATE SET smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port,
                tls = excluded.tls, username = excluded.username, password_sealed = excluded.password_sealed,
                from_address = excluded.from_address, from_name = excluded.from_name, reply_to = excluded.reply_to,
                updated_at = excluded.updated_at
            """
        ).run()
    }

    // MARK: Suppressions

    /// Why mail to `address` stops in the workspace (`hard_bounce`, `unsubscribed`); nil when it does not.
    package func suppression(workspaceID: String, address: String, on database: (any SQLDatabase)? = nil)
        async throws -> String?
    {
        try await (database ?? store.database).raw(
            """
            SELECT reason FROM email_suppressions
            WHERE workspace_id = \(bind: workspaceID) AND address = \(bind: address.lowercased())
            """
        ).first()?.decode(column: "reason", as: String.self)
    }

    /// Stops mail to `address` in the workspace; a suppression already there is kept as it was.
    package func suppress(
        workspaceID: String, address: String, reason: String, detail: String?, at: Int64, on database: any SQLDatabase
    ) async throws {
        try await database.raw(
            """
            INSERT INTO email_suppressions (workspace_id, address, reason, detail, at)
            VALUES (\(bind: workspaceID), \(bind: address.lowercased()), \(bind: reason), \(bind: detail), \(bind: at))
            ON CONFLICT (workspace_id, address) DO NOTHING
            """
        ).run()
    }

    /// Lets mail to `address` go again when it stopped for `reason` (a contact who subscribes again after an
    /// unsubscribe); any other suppression stays.
    package func unsuppress(workspaceID: String, address: String, reason: String, on database: any SQLDatabase)
        async throws
    {
        try await database.raw(
            """
            DELETE FROM email_suppressions
            WHERE workspace_id = \(bind: workspaceID) AND address = \(bind: address.lowercased()) AND reason = \(bind: reason)
            """
        ).run()
    }
}

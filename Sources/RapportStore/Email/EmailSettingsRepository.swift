import Foundation
package import RapportCore
package import RapportDatabase
package import SQLKit

/// A workspace's SMTP server and sender, and the addresses it no longer sends to.
package struct EmailSettingsRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The workspace's settings; nil while none are saved. (A lookup by key on the store's row path: every message
    /// a campaign renders and enqueues reads them.)
    package func find(workspaceID: String) async throws -> StoredEmailSettings? {
        let rows = try await store.readRows(inline: true) { session in
            try await session.rows(
                """
                SELECT workspace_id, smtp_host, smtp_port, tls, username, password_sealed, from_address, from_name,
                    reply_to, updated_at
                FROM email_settings WHERE workspace_id = ?
                """, [.text(workspaceID)])
        }
        guard let row = rows.first, row.count == 10 else { return nil }
        return StoredEmailSettings(
            workspaceID: row[0].text ?? workspaceID, host: row[1].text ?? "", port: Int(row[2].int ?? 0),
            tls: row[3].text ?? "starttls", username: row[4].text, passwordSealed: row[5].text,
            fromAddress: row[6].text ?? "", fromName: row[7].text, replyTo: row[8].text, updatedAt: row[9].int ?? 0)
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
        guard let database else {
            return try await store.readRows(inline: true) { session in
                try await suppression(workspaceID: workspaceID, address: address, on: session)
            }
        }
        return try await database.raw(
            """
            SELECT reason FROM email_suppressions
            WHERE workspace_id = \(bind: workspaceID) AND address = \(bind: address.lowercased())
            """
        ).first()?.decode(column: "reason", as: String.self)
    }

    /// `suppression` on a leased session (inside a row write, it sees that write's changes).
    package func suppression(workspaceID: String, address: String, on session: RowSession) async throws -> String? {
        try await session.rows(
            "SELECT reason FROM email_suppressions WHERE workspace_id = ? AND address = ?",
            [.text(workspaceID), .text(address.lowercased())]
        ).first?.first?.text
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

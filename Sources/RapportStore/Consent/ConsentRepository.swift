import Foundation
package import RapportCore
package import SQLKit

/// Contacts' consent per channel (`contact_consents`) and its append-only history (`consent_changes`).
/// The email channel's state is mirrored in the contact's `email_consent` field, written here too.
package struct ConsentRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// A contact's current states by channel (channels never set are left out).
    package func states(workspaceID: String, contactID: String, on database: (any SQLDatabase)? = nil) async throws
        -> [ConsentState]
    {
        try await (database ?? store.database).raw(
            "SELECT channel, state, source, changed_at FROM contact_consents WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID) ORDER BY channel"
        ).all().map { row in
            ConsentState(
                channel: try row.decode(column: "channel", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                source: try row.decode(column: "source", as: String?.self),
                changedAt: try row.decode(column: "changed_at", as: Int64?.self))
        }
    }

    /// A contact's changes, newest first, at most `limit`.
    package func history(workspaceID: String, contactID: String, limit: Int = 200) async throws -> [ConsentChange] {
        try await store.database.raw(
            "SELECT id, contact_id, channel, state, source, note, user_id, at FROM consent_changes WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID) ORDER BY at DESC, id DESC LIMIT \(bind: limit)"
        ).all().map { row in
            ConsentChange(
                id: try row.decode(column: "id", as: String.self),
                contactID: try row.decode(column: "contact_id", as: String.self),
                channel: try row.decode(column: "channel", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                source: try row.decode(column: "source", as: String.self),
                note: try row.decode(column: "note", as: String?.self),
                userID: try row.decode(column: "user_id", as: String?.self),
                at: try row.decode(column: "at", as: Int64.self))
        }
    }

    /// Records a change: appends it to the history and makes it the channel's current state.
    package func record(_ change: ConsentChange, workspaceID: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            """
            INSERT INTO consent_changes (workspace_id, id, contact_id, channel, state, source, note, user_id, at)
            VALUES (\(bind: workspaceID), \(bind: change.id), \(bind: change.contactID), \(bind: change.channel),
                    \(bind: change.state), \(bind: change.source), \(bind: change.note), \(bind: change.userID), \(bind: change.at))
            """
        ).run()
        try await database.raw(
            """
            INSERT INTO contact_consents (workspace_id, contact_id, channel, state, source, changed_at)
            VALUES (\(bind: workspaceID), \(bind: change.contactID), \(bind: change.channel), \(bind: change.state),
                    \(bind: change.source), \(bind: change.at))
            ON CONFLICT (workspace_id, contact_id, channel) DO UPDATE SET state = excluded.state,
                source = excluded.source, changed_at = excluded.changed_at
            """
        ).run()
    }

    /// Gives one contact's history of consent to another (a merge keeps how each consent was given).
    package func moveHistory(workspaceID: String, from: String, to: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "UPDATE consent_changes SET contact_id = \(bind: to) WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: from)"
        ).run()
    }

    /// Forgets a deleted contact's consent (its history goes with it).
    package func remove(workspaceID: String, contactID: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "DELETE FROM contact_consents WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)"
        ).run()
        try await database.raw(
            "DELETE FROM consent_changes WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)"
        ).run()
    }
}

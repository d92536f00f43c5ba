import Foundation
package import RapportCore
package import SQLKit

/// A workspace's frequency policy (`frequency_policies`), and what the delivery worker reads and writes to hold
/// it: a contact's consent, status and zone, their recent marketing sends, and the reservation of a send.
package struct FrequencyRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The workspace's policy; an empty one when it never saved any.
    package func policy(workspaceID: String, on database: (any SQLDatabase)? = nil) async throws -> FrequencyPolicy {
        guard
            let row = try await (database ?? store.database).raw(
                """
                SELECT max_messages, window_days, min_gap_hours, quiet_start, quiet_end, updated_at
                FROM frequency_policies WHERE workspace_id = \(bind: workspaceID)
                """
            ).first()
        else { return FrequencyPolicy() }
        let maxMessages = try row.decode(column: "max_messages", as: Int?.self)
        let windowDays = try row.decode(column: "window_days", as: Int?.self)
        let start = try row.decode(column: "quiet_start", as: Int?.self)
        let end = try row.decode(column: "quiet_end", as: Int?.self)
        return FrequencyPolicy(
            cap: maxMessages.flatMap { max in windowDays.map { FrequencyPolicy.Cap(maxMessages: max, windowDays: $0) }
            },
            minGapHours: try row.decode(column: "min_gap_hours", as: Int?.self),
            quietHours: start.flatMap { start in end.map { QuietHours(start: start, end: $0) } },
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    /// Replaces the workspace's policy.
    package func save(workspaceID: String, _ policy: FrequencyPolicy, at: Int64) async throws {
        try await store.transaction { database in
            try await database.raw(
                """
                INSERT INTO frequency_policies
                    (workspace_id, max_messages, window_days, min_gap_hours, quiet_start, quiet_end, updated_at)
                VALUES (\(bind: workspaceID), \(bind: policy.cap?.maxMessages), \(bind: policy.cap?.windowDays),
                        \(bind: policy.minGapHours), \(bind: policy.quietHours?.start), \(bind: policy.quietHours?.end),
                        \(bind: at))
                ON CONFLICT (workspace_id) DO UPDATE SET max_messages = excluded.max_messages,
                    window_days = excluded.window_days, min_gap_hours = excluded.min_gap_hours,
                    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    /// What the send check reads of a contact.
    package struct Recipient: Sendable, Equatable {
        /// The email channel's state (`granted`, `withdrawn`); nil when none was ever recorded.
        package var consentState: String?
        /// The contact's `email_consent` field (`subscribed`, `unsubscribed`, `unknown`).
        package var consentField: String
        package var emailStatus: String
        /// The contact's own zone; nil for the workspace's.
        package var timeZone: String?
        package var workspaceTimeZone: String
    }

    /// A contact's consent, status and zones; nil when the workspace has no such contact.
    package func recipient(workspaceID: String, contactID: String, on database: (any SQLDatabase)? = nil)
        async throws -> Recipient?
    {
        try await (database ?? store.database).raw(
            """
            SELECT c.email_consent, c.email_status, c.time_zone, cc.state AS consent_state,
                w.time_zone AS workspace_time_zone
            FROM contacts c
            JOIN workspaces w ON w.id = c.workspace_id
            LEFT JOIN contact_consents cc
                ON cc.workspace_id = c.workspace_id AND cc.contact_id = c.id AND cc.channel = 'email'
            WHERE c.workspace_id = \(bind: workspaceID) AND c.id = \(bind: contactID)
            """
        ).first().map { row in
            Recipient(
                consentState: try row.decode(column: "consent_state", as: String?.self),
                consentField: try row.decode(column: "email_consent", as: String.self),
                emailStatus: try row.decode(column: "email_status", as: String.self),
                timeZone: try row.decode(column: "time_zone", as: String?.self),
                workspaceTimeZone: try row.decode(column: "workspace_time_zone", as: String.self))
        }
    }

    /// Takes the lock that serialises one contact's send checks until the caller's transaction ends
    /// (PostgreSQL; SQLite's one writer serialises them already).
    package func lockContact(workspaceID: String, contactID: String, on database: any SQLDatabase) async throws {
        if let lock = store.kind.contactSendLock(workspaceID: workspaceID, contactID: contactID) {
            try await database.raw(lock).run()
        }
    }

    /// When the contact's marketing messages went since `since`: those sent, and those another worker is
    /// sending now having passed the policy (at their claim), leaving out the row `excluding`.
    package func marketingSends(
        workspaceID: String, contactID: String, since: Int64, excluding id: String,
        on database: (any SQLDatabase)? = nil
    ) async throws -> [Int64] {
        try await (database ?? store.database).raw(
            """
            SELECT sent_at AS at FROM outbox
            WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID) AND kind = 'marketing'
                AND state = 'sent' AND sent_at > \(bind: since)
            UNION ALL
            SELECT claimed_at AS at FROM outbox
            WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID) AND kind = 'marketing'
                AND state = 'sending' AND policy_claim = claimed_by AND id <> \(bind: id)
            """
        ).all().map { try $0.decode(column: "at", as: Int64.self) }
    }

    /// Marks `owner`'s claimed row as having passed the policy, inside the caller's transaction.
    /// - Returns: false when `owner` no longer holds the row.
    package func reserve(workspaceID: String, id: String, owner: String, on database: any SQLDatabase) async throws
        -> Bool
    {
        try await database.raw(
            """
            UPDATE outbox SET policy_claim = \(bind: owner)
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND state = 'sending'
                AND claimed_by = \(bind: owner)
            RETURNING id
            """
        ).first() != nil
    }

    /// A contact's mail in numbers: sent since `since` by kind, and marketing mail still on its way.
    package struct Counts: Sendable, Equatable {
        package var marketingSent = 0
        package var transactionalSent = 0
        /// Marketing rows queued, being sent, or deferred.
        package var marketingWaiting = 0
        /// Marketing rows deferred by the policy (with a reason).
        package var marketingHeld = 0

        package init() {}
    }

    package func counts(workspaceID: String, contactID: String, since: Int64) async throws -> Counts {
        let rows = try await store.database.raw(
            """
            SELECT kind, state, CASE WHEN deferred_reason IS NULL THEN 0 ELSE 1 END AS held, COUNT(*) AS n FROM outbox
            WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)
                AND ((state = 'sent' AND sent_at > \(bind: since)) OR state IN ('queued', 'sending', 'deferred'))
            GROUP BY kind, state, CASE WHEN deferred_reason IS NULL THEN 0 ELSE 1 END
            """
        ).all()
        var counts = Counts()
        for row in rows {
            let kind = try row.decode(column: "kind", as: String.self)
            let state = try row.decode(column: "state", as: String.self)
            let held = try row.decode(column: "held", as: Int.self) == 1
            let n = try row.decode(column: "n", as: Int.self)
            switch (kind, state) {
            case ("marketing", "sent"): counts.marketingSent += n
            case (_, "sent"): counts.transactionalSent += n
            case ("marketing", _):
                counts.marketingWaiting += n
                if state == "deferred" && held { counts.marketingHeld += n }
            default: break
            }
        }
        return counts
    }
}

import Foundation
package import RapportCore
package import RapportDatabase
package import SQLKit

/// The durable outbox: every email Rapport sends is a row here first, written in the transaction that asks
/// for it, then claimed and sent by a delivery worker in any `rapport serve` process.
package struct OutboxRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = """
        workspace_id, id, idempotency_key, kind, purpose, template_id, contact_id, to_address, to_name, subject, html, \
        text, unsubscribe_url, state, attempts, next_attempt_at, claimed_by, claimed_at, last_error, smtp_reply, \
        message_id, campaign_id, variant, created_at, sent_at, deferred_reason, opened_at, clicked_at, unsubscribed_at
        """

    /// Inserts `message` unless the workspace has a row with its idempotency key.
    /// - Returns: the row now stored under the key, and whether it is the one just inserted.
    package func insert(_ message: OutboxMessage, on database: any SQLDatabase) async throws -> (
        OutboxMessage, inserted: Bool
    ) {
        let m = message
        let row = try await database.raw(
            """
            INSERT INTO outbox (\(unsafeRaw: Self.columns))
            VALUES (\(bind: m.workspaceID), \(bind: m.id), \(bind: m.idempotencyKey), \(bind: m.kind.rawValue),
                    \(bind: m.purpose), \(bind: m.templateID), \(bind: m.contactID), \(bind: m.toAddress),
                    \(bind: m.toName), \(bind: m.subject), \(bind: m.html), \(bind: m.text), \(bind: m.unsubscribeURL),
                    \(bind: m.state.rawValue), \(bind: m.attempts), \(bind: m.nextAttemptAt), NULL, NULL,
                    \(bind: m.lastError), NULL, \(bind: m.messageID), \(bind: m.campaignID), \(bind: m.variant),
                    \(bind: m.createdAt), NULL, \(bind: m.deferredReason), NULL, NULL, NULL)
            ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
            RETURNING id
            """
        ).first()
        if row != nil { return (message, true) }
        guard let existing = try await find(workspaceID: m.workspaceID, key: m.idempotencyKey, on: database) else {
            throw RapportError(.conflict, "The message was written and removed at once; try again.")
        }
        return (existing, false)
    }

    /// `insert` on a leased session (a row write of the store: on SQLite, enqueues that arrive together share a
    /// commit), with statements the session keeps prepared.
    package func insert(_ message: OutboxMessage, on session: RowSession) async throws -> (
        OutboxMessage, inserted: Bool
    ) {
        let m = message
        let values: [DBValue] = [
            .text(m.workspaceID), .text(m.id), .text(m.idempotencyKey), .text(m.kind.rawValue), DBValue(m.purpose),
            DBValue(m.templateID), DBValue(m.contactID), .text(m.toAddress), DBValue(m.toName), .text(m.subject),
            DBValue(m.html), .text(m.text), DBValue(m.unsubscribeURL), .text(m.state.rawValue), .int(Int64(m.attempts)),
            .int(m.nextAttemptAt), .null, .null, DBValue(m.lastError), .null, .text(m.messageID), DBValue(m.campaignID),
            DBValue(m.variant), .int(m.createdAt), .null, DBValue(m.deferredReason), .null, .null, .null,
        ]
        let inserted = try await session.rows(
            """
            INSERT INTO outbox (\(Self.columns)) VALUES (\(RowSession.placeholders(values.count)))
            ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id
            """, values)
        if !inserted.isEmpty { return (message, true) }
        let existing = try await session.rows(
            "SELECT \(Self.columns) FROM outbox WHERE workspace_id = ? AND idempotency_key = ?",
            [.text(m.workspaceID), .text(m.idempotencyKey)])
        guard let row = existing.first else {
            throw RapportError(.conflict, "The message was written and removed at once; try again.")
        }
        return (Self.message(from: row), false)
    }

    /// The row of an idempotency key.
    package func find(workspaceID: String, key: String, on database: (any SQLDatabase)? = nil) async throws
        -> OutboxMessage?
    {
        try await (database ?? store.database).raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM outbox
            WHERE workspace_id = \(bind: workspaceID) AND idempotency_key = \(bind: key)
            """
        ).first().map(Self.message(from:))
    }

    /// A row by id.
    package func find(workspaceID: String, id: String) async throws -> OutboxMessage? {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await store.database.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM outbox WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased())"
        ).first().map(Self.message(from:))
    }

    /// The row of a Message-ID (without its angle brackets), inside the caller's row write.
    package func find(workspaceID: String, messageID: String, on session: RowSession) async throws -> OutboxMessage? {
        try await session.rows(
            "SELECT \(Self.columns) FROM outbox WHERE workspace_id = ? AND message_id = ? LIMIT 1",
            [.text(workspaceID), .text(messageID)]
        ).first.map(Self.message(from:))
    }

    /// The row of an id, inside the caller's row write.
    package func find(workspaceID: String, id: String, on session: RowSession) async throws -> OutboxMessage? {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await session.rows(
            "SELECT \(Self.columns) FROM outbox WHERE workspace_id = ? AND id = ?",
            [.text(workspaceID), .text(id.lowercased())]
        ).first.map(Self.message(from:))
    }

    /// A message the server accepted (`sent`) that bounced later, as a delivery status notification reports:
    /// `bounced`, with what the report says. Nothing for a row in any other state.
    /// - Returns: whether the row changed.
    package func bounceLater(workspaceID: String, id: String, reply: String, on session: RowSession) async throws
        -> Bool
    {
        !(try await session.rows(
            """
            UPDATE outbox SET state = 'bounced', smtp_reply = ?, last_error = ?
            WHERE workspace_id = ? AND id = ? AND state = 'sent' RETURNING id
            """,
            [
                .text(String(reply.prefix(500))), .text(String("Bounced after delivery: \(reply)".prefix(500))),
                .text(workspaceID), .text(id),
            ]
        ).isEmpty)
    }

    /// The workspace's rows, newest first; of one contact when given (nil: every contact).
    package func list(workspaceID: String, contactID: String?, limit: Int, before: (Int64, String)?) async throws
        -> [OutboxMessage]
    {
        var filter: SQLQueryString = "workspace_id = \(bind: workspaceID)"
        if let contactID { filter = filter + " AND contact_id = \(bind: contactID)" }
        if let (at, id) = before {
            filter = filter + " AND (created_at < \(bind: at) OR (created_at = \(bind: at) AND id < \(bind: id)))"
        }
        return try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM outbox WHERE \(filter)
            ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all().map(Self.message(from:))
    }

    // MARK: Delivery

    /// Claims up to `limit` rows of the workspace for `owner`: queued and deferred rows that are due, and rows
    /// left in `sending` since before `staleBefore` (their worker died). Each claimed row is `sending`, counts
    /// an attempt, and names its owner. One statement: on PostgreSQL the rows are picked and locked once, in a
    /// materialised `WITH` (`FOR UPDATE SKIP LOCKED`, each row re-checked after a concurrent change), so two
    /// workers never claim the same row; on SQLite the one writer runs it whole.
    ///
    /// The rows are picked from three ranges of the index `outbox_due` (workspace, state, next attempt): due
    /// queued rows, due deferred rows, and rows in `sending` (few: those in flight), so a claim reads about the
    /// rows it takes however many sent rows the workspace keeps. (A single `WHERE` with the states' `OR` read
    /// every row of the workspace on SQLite: at 50,000 sent rows each claim took longer than its sends.)
    /// And not `WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may run such a subquery again
    /// for each row it updates, and each run then skips the rows the statement has just changed and locks the
    /// next `n`, so one claim took every due row of the workspace.
    package func claim(workspaceID: String, owner: String, now: Int64, staleBefore: Int64, limit: Int) async throws
        -> [OutboxMessage]
    {
        let lock = store.kind.claimLock
        var binds: [DBValue] = []
        func range(_ state: String, _ condition: String, _ value: Int64, _ alias: String) -> String {
            binds += [.text(workspaceID), .text(state), .int(value), .int(Int64(limit))]
            return """
                SELECT * FROM (SELECT id, next_attempt_at FROM outbox
                    WHERE workspace_id = ? AND state = ? AND \(condition) <= ?
                    ORDER BY next_attempt_at, id LIMIT ? \(lock)) AS \(alias)
                """
        }
        let picked = [
            range("queued", "next_attempt_at", now, "q"), range("deferred", "next_attempt_at", now, "d"),
            range("sending", "claimed_at", staleBefore, "s"),
        ].joined(separator: " UNION ALL ")
        binds += [.int(Int64(limit)), .text(owner), .int(now), .text(workspaceID), .int(now), .int(staleBefore)]
        let sql = """
            WITH picked AS MATERIALIZED (
                SELECT id FROM (\(picked)) AS due ORDER BY next_attempt_at, id LIMIT ?)
            UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, attempts = attempts + 1
            WHERE workspace_id = ? AND ((state IN ('queued', 'deferred') AND next_attempt_at <= ?)
                OR (state = 'sending' AND claimed_at <= ?)) AND id IN (SELECT id FROM picked)
            RETURNING \(Self.columns)
            """
        let values = binds
        return try await store.writeRows { session in
            try await session.rows(sql, values).map(Self.message(from:))
        }
    }

    /// What a delivery attempt ended in.
    package struct Outcome: Sendable {
        package var state: OutboxState
        package var nextAttemptAt: Int64?
        package var lastError: String?
        package var smtpReply: String?
        package var sentAt: Int64?
        /// Why a deferred row waits when it is not a failure (a cap, quiet hours); it then counts no attempt.
        package var deferredReason: String?

        package init(
            state: OutboxState, nextAttemptAt: Int64? = nil, lastError: String? = nil, smtpReply: String? = nil,
            sentAt: Int64? = nil, deferredReason: String? = nil
        ) {
            self.deferredReason = deferredReason
            self.state = state
            self.nextAttemptAt = nextAttemptAt
            self.lastError = lastError
            self.smtpReply = smtpReply
            self.sentAt = sentAt
        }
    }

    /// Records the outcome of `owner`'s attempt, inside the caller's transaction.
    /// - Returns: false, changing nothing, when `owner` no longer holds the row (it was taken again as stale).
    package func finish(
        workspaceID: String, id: String, owner: String, _ outcome: Outcome, on database: any SQLDatabase
    ) async throws -> Bool {
        try await database.raw(
            """
            UPDATE outbox SET state = \(bind: outcome.state.rawValue),
                next_attempt_at = COALESCE(\(bind: outcome.nextAttemptAt), next_attempt_at),
                last_error = \(bind: outcome.lastError), smtp_reply = COALESCE(\(bind: outcome.smtpReply), smtp_reply),
                sent_at = \(bind: outcome.sentAt), claimed_by = NULL, deferred_reason = \(bind: outcome.deferredReason),
                attempts = attempts - \(bind: outcome.deferredReason == nil ? 0 : 1)
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND state = 'sending'
                AND claimed_by = \(bind: owner)
            RETURNING id
            """
        ).first() != nil
    }

    /// `finish` on a leased session, with a statement the session keeps prepared.
    package func finish(workspaceID: String, id: String, owner: String, _ outcome: Outcome, on session: RowSession)
        async throws -> Bool
    {
        !(try await session.rows(
            """
            UPDATE outbox SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?,
                smtp_reply = COALESCE(?, smtp_reply), sent_at = ?, claimed_by = NULL, deferred_reason = ?,
                attempts = attempts - ?
            WHERE workspace_id = ? AND id = ? AND state = 'sending' AND claimed_by = ?
            RETURNING id
            """,
            [
                .text(outcome.state.rawValue), DBValue(outcome.nextAttemptAt), DBValue(outcome.lastError),
                DBValue(outcome.smtpReply), DBValue(outcome.sentAt), DBValue(outcome.deferredReason),
                .int(outcome.deferredReason == nil ? 0 : 1), .text(workspaceID), .text(id), .text(owner),
            ]
        ).isEmpty)
    }

    /// Records the first `engagement` of a message at `at`, inside the caller's transaction.
    /// - Returns: true when this was the first of its kind (the column was empty), false when it was already set
    ///   or the workspace has no such row.
    package func recordFirst(
        _ engagement: OutboxEngagement, workspaceID: String, id: String, at: Int64, on database: any SQLDatabase
    ) async throws -> Bool {
        try await database.raw(
            """
            UPDATE outbox SET \(unsafeRaw: engagement.column) = \(bind: at)
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND \(unsafeRaw: engagement.column) IS NULL
            RETURNING id
            """
        ).first() != nil
    }

    /// When the workspace's next row falls due (a deferred row's next attempt, a queued one's, a `sending` one's
    /// `claimed_at` plus `sendingTimeout`); nil when none waits.
    package func nextDue(workspaceID: String, sendingTimeout: Int64) async throws -> Int64? {
        let row = try await store.database.raw(
            """
            SELECT MIN(due) AS due FROM (
                SELECT MIN(next_attempt_at) AS due FROM outbox
                WHERE workspace_id = \(bind: workspaceID) AND state IN ('queued', 'deferred')
                UNION ALL
                SELECT MIN(claimed_at) + \(bind: sendingTimeout) AS due FROM outbox
                WHERE workspace_id = \(bind: workspaceID) AND state = 'sending') AS d
            """
        ).first()
        return try row?.decode(column: "due", as: Int64?.self)
    }

    /// How many of the workspace's rows are in each state.
    package func counts(workspaceID: String) async throws -> [OutboxState: Int] {
        var counts: [OutboxState: Int] = [:]
        for row in try await store.database.raw(
            "SELECT state, COUNT(*) AS n FROM outbox WHERE workspace_id = \(bind: workspaceID) GROUP BY state"
        ).all() {
            if let state = OutboxState(rawValue: try row.decode(column: "state", as: String.self)) {
                counts[state] = try row.decode(column: "n", as: Int.self)
            }
        }
        return counts
    }

    /// The workspaces with a row due by `now` (or left in `sending` since before `staleBefore`).
    package func workspacesDue(now: Int64, staleBefore: Int64) async throws -> [String] {
        try await store.database.raw(
            """
            SELECT DISTINCT workspace_id FROM outbox
            WHERE (state IN ('queued', 'deferred') AND next_attempt_at <= \(bind: now))
               OR (state = 'sending' AND claimed_at <= \(bind: staleBefore))
            """
        ).all().map { try $0.decode(column: "workspace_id", as: String.self) }
    }

    /// A row of `columns`, in their order, as read through a `RowSession`.
    static func message(from row: [DBValue]) -> OutboxMessage {
        func text(_ index: Int) -> String { row[index].text ?? "" }
        func optional(_ index: Int) -> String? { row[index].text }
        return OutboxMessage(
            workspaceID: text(0), id: text(1), idempotencyKey: text(2),
            kind: TemplateKind(rawValue: text(3)) ?? .transactional, purpose: optional(4), templateID: optional(5),
            contactID: optional(6), toAddress: text(7), toName: optional(8), subject: text(9), html: optional(10),
            text: text(11), unsubscribeURL: optional(12), state: OutboxState(rawValue: text(13)) ?? .failed,
            attempts: Int(row[14].int ?? 0), nextAttemptAt: row[15].int ?? 0, claimedBy: optional(16),
            claimedAt: row[17].int, lastError: optional(18), smtpReply: optional(19), messageID: text(20),
            campaignID: optional(21), variant: optional(22), createdAt: row[23].int ?? 0, sentAt: row[24].int,
            deferredReason: optional(25), openedAt: row[26].int, clickedAt: row[27].int,
            unsubscribedAt: row[28].int)
    }

    static func message(from row: any SQLRow) throws -> OutboxMessage {
        OutboxMessage(
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            id: try row.decode(column: "id", as: String.self),
            idempotencyKey: try row.decode(column: "idempotency_key", as: String.self),
            kind: TemplateKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .transactional,
            purpose: try row.decode(column: "purpose", as: String?.self),
            templateID: try row.decode(column: "template_id", as: String?.self),
            contactID: try row.decode(column: "contact_id", as: String?.self),
            toAddress: try row.decode(column: "to_address", as: String.self),
            toName: try row.decode(column: "to_name", as: String?.self),
            subject: try row.decode(column: "subject", as: String.self),
            html: try row.decode(column: "html", as: String?.self),
            text: try row.decode(column: "text", as: String.self),
            unsubscribeURL: try row.decode(column: "unsubscribe_url", as: String?.self),
            state: OutboxState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64.self),
            claimedBy: try row.decode(column: "claimed_by", as: String?.self),
            claimedAt: try row.decode(column: "claimed_at", as: Int64?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            smtpReply: try row.decode(column: "smtp_reply", as: String?.self),
            messageID: try row.decode(column: "message_id", as: String.self),
            campaignID: try row.decode(column: "campaign_id", as: String?.self),
            variant: try row.decode(column: "variant", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            sentAt: try row.decode(column: "sent_at", as: Int64?.self),
            deferredReason: try row.decode(column: "deferred_reason", as: String?.self),
            openedAt: try row.decode(column: "opened_at", as: Int64?.self),
            clickedAt: try row.decode(column: "clicked_at", as: Int64?.self),
            unsubscribedAt: try row.decode(column: "unsubscribed_at", as: Int64?.self))
    }
}

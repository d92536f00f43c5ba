import Foundation
import RapportCore
package import SQLKit

/// The durable job queue in the database. A job is enqueued in the transaction of the write that asks for
/// it, so it exists exactly when that write committed; runners in any process claim due jobs under a
/// lease, and a job whose lease expires (its process died) is taken again by another runner. Delivery is
/// at least once: a handler must tolerate running again after a crash mid-job.
package struct JobQueue: Sendable {
    let store: Store

    /// Error lines are cut to this many characters.
    static let errorLength = 500

    /// A queue over `store`.
    package init(store: Store) {
        self.store = store
    }

    static let columns =
        "workspace_id, id, kind, payload, due_at, attempts, max_attempts, state, lease_owner, lease_expires_at, last_error, dedup_key, created_at, finished_at"

    // MARK: Enqueueing

    /// Adds jobs inside the caller's transaction (`store.transaction { db in … }`): they exist exactly
    /// when it commits.
    /// - Returns: each job's new id, or nil where an unfinished job with the same dedup key exists.
    @discardableResult
    package func enqueue(_ jobs: [NewJob], now: Int64 = Timestamp.micros(Date()), on database: any SQLDatabase)
        async throws -> [String?]
    {
        var ids: [String?] = []
        for job in jobs {
            let id = RecordID.make()
            // No conflict target: the one unique index that can refuse a new id is the dedup key's.
            let row = try await database.raw(
                """
                INSERT INTO jobs (workspace_id, id, kind, payload, due_at, attempts, max_attempts, state, dedup_key, created_at)
                VALUES (\(bind: job.workspaceID), \(bind: id), \(bind: job.kind), \(bind: JSONText.encode(job.payload)),
                        \(bind: job.dueAt ?? now), 0, \(bind: max(job.maxAttempts, 1)), 'queued', \(bind: job.dedupKey), \(bind: now))
                ON CONFLICT DO NOTHING RETURNING id
                """
            ).first()
            ids.append(row == nil ? nil : id)
        }
        return ids
    }

    /// Adds one job inside the caller's transaction.
    /// - Returns: its id, or nil where an unfinished job with the same dedup key exists.
    @discardableResult
    package func enqueue(_ job: NewJob, now: Int64 = Timestamp.micros(Date()), on database: any SQLDatabase)
        async throws -> String?
    {
        try await enqueue([job], now: now, on: database)[0]
    }

    /// Adds one job in a transaction of its own.
    /// - Returns: its id, or nil where an unfinished job with the same dedup key exists.
    @discardableResult
    package func enqueue(_ job: NewJob, now: Int64 = Timestamp.micros(Date())) async throws -> String? {
        try await store.transaction { database in try await enqueue(job, now: now, on: database) }
    }

    // MARK: Cancelling and moving

    /// Cancels the queued job of `dedupKey` in `workspaceID` (nil: installation-wide), inside the caller's
    /// transaction: it is deleted, as if never enqueued, and the key is free again. A job of that key a
    /// runner holds is left to finish (its handler must see for itself that it is no longer wanted).
    /// - Returns: whether a queued job was cancelled.
    @discardableResult
    package func cancel(workspaceID: String?, dedupKey: String, on database: any SQLDatabase) async throws -> Bool {
        try await database.raw(
            """
            DELETE FROM jobs WHERE COALESCE(workspace_id, '') = \(bind: workspaceID ?? "") AND dedup_key = \(bind: dedupKey)
                AND state = 'queued'
            RETURNING id
            """
        ).first() != nil
    }

    /// Replaces the queued job of `dedupKey` by `job` (a reminder moved to another time: its key names the
    /// time), inside the caller's transaction; with `job` nil it only cancels. A job of the old key that a
    /// runner holds is left to finish.
    /// - Returns: the new job's id; nil when `job` is nil, or an unfinished job already has its key.
    @discardableResult
    package func reschedule(
        workspaceID: String?, dedupKey: String, to job: NewJob?, now: Int64 = Timestamp.micros(Date()),
        on database: any SQLDatabase
    ) async throws -> String? {
        try await cancel(workspaceID: workspaceID, dedupKey: dedupKey, on: database)
        guard let job else { return nil }
        return try await enqueue(job, now: now, on: database)
    }

    /// The unfinished (queued or running) job of `dedupKey` in `workspaceID`; nil when there is none.
    package func unfinished(workspaceID: String?, dedupKey: String) async throws -> Job? {
        try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM jobs
            WHERE COALESCE(workspace_id, '') = \(bind: workspaceID ?? "") AND dedup_key = \(bind: dedupKey)
                AND state IN ('queued', 'running')
            """
        ).first().map(Self.job(from:))
    }

    // MARK: Running

    /// Takes one due job: a queued one whose time has come, or a running one whose lease expired (its
    /// runner stopped or overran), and leases it to `owner` for `leaseFor`, counting an attempt. Running
    /// jobs whose lease expired on their last attempt stop as `failed`.
    /// - Returns: the job as leased, or nil when nothing is due.
    package func claim(owner: String, now: Int64 = Timestamp.micros(Date()), leaseFor: Duration) async throws -> Job? {
        // A read first, so that a runner with nothing to do takes no write lock (SQLite's single writer).
        let due = try await store.database.raw(
            """
            SELECT id FROM jobs WHERE state = 'queued' AND due_at <= \(bind: now)
            UNION ALL SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at <= \(bind: now)
            LIMIT 1
            """
        ).first()
        guard due != nil else { return nil }
        let expires = now + Self.micros(leaseFor)
        let lock = store.kind.claimLock
        return try await store.transaction { database in
            try await database.raw(
                """
                UPDATE jobs SET state = 'failed', finished_at = \(bind: now), lease_expires_at = NULL,
                    last_error = \(bind: Self.expiredOnLastAttempt)
                WHERE state = 'running' AND lease_expires_at <= \(bind: now) AND attempts >= max_attempts
                """
            ).run()
            // Expired leases first, so a backlog of queued jobs cannot starve a job whose runner died.
            let row = try await database.raw(
                """
                UPDATE jobs SET state = 'running', lease_owner = \(bind: owner), lease_expires_at = \(bind: expires),
                    attempts = attempts + 1
                WHERE id = COALESCE(
                    (SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at <= \(bind: now)
                     ORDER BY lease_expires_at LIMIT 1 \(unsafeRaw: lock)),
                    (SELECT id FROM jobs WHERE state = 'queued' AND due_at <= \(bind: now)
                     ORDER BY due_at LIMIT 1 \(unsafeRaw: lock)))
                RETURNING \(unsafeRaw: Self.columns)
                """
            ).first()
            return try row.map(Self.job(from:))
        }
    }

    /// Marks a job done and enqueues `followUps` in the same transaction (the next run of a recurring
    /// job, so a crash can neither lose nor double it).
    /// - Returns: false, changing nothing, when `owner` no longer holds the job's lease.
    @discardableResult
    package func complete(
        id: String, owner: String, now: Int64 = Timestamp.micros(Date()), then followUps: [NewJob] = []
    ) async throws -> Bool {
        try await store.transaction { database in
            let row = try await database.raw(
                """
                UPDATE jobs SET state = 'done', finished_at = \(bind: now), lease_expires_at = NULL
                WHERE id = \(bind: id) AND state = 'running' AND lease_owner = \(bind: owner)
                RETURNING id
                """
            ).first()
            guard row != nil else { return false }
            try await enqueue(followUps, now: now, on: database)
            return true
        }
    }

    /// Records a failed attempt: the job is queued again after a backoff that doubles with each attempt
    /// (`backoff(afterAttempt:)`), or, out of attempts or when `permanently`, stops as `failed`.
    /// `error` is kept as the job's last error (one line; keep SQL and stack traces out of it).
    /// `followUps` are enqueued in the same transaction when the job stops as failed.
    @discardableResult
    package func fail(
        id: String, owner: String, error: String, now: Int64 = Timestamp.micros(Date()), permanently: Bool = false,
        then followUps: [NewJob] = []
    ) async throws -> JobFailure {
        let line = Self.oneLine(error)
        return try await store.transaction { database in
            guard
                let row = try await database.raw(
                    """
                    SELECT attempts, max_attempts FROM jobs
                    WHERE id = \(bind: id) AND state = 'running' AND lease_owner = \(bind: owner)
                    """
                ).first()
            else { return .notOwner }
            let attempts = try row.decode(column: "attempts", as: Int.self)
            let maxAttempts = try row.decode(column: "max_attempts", as: Int.self)
            // `attempts` only changes when another runner claims the job, which also changes its owner.
            let guardClause: SQLQueryString =
                "WHERE id = \(bind: id) AND state = 'running' AND lease_owner = \(bind: owner) AND attempts = \(bind: attempts)"
            if permanently || attempts >= maxAttempts {
                let updated = try await database.raw(
                    """
                    UPDATE jobs SET state = 'failed', finished_at = \(bind: now), lease_expires_at = NULL,
                        last_error = \(bind: line)
                    \(guardClause) RETURNING id
                    """
                ).first()
                guard updated != nil else { return .notOwner }
                try await enqueue(followUps, now: now, on: database)
                return .failed
            }
            let dueAt = now + Self.backoff(afterAttempt: attempts)
            let updated = try await database.raw(
                """
                UPDATE jobs SET state = 'queued', due_at = \(bind: dueAt), lease_expires_at = NULL,
                    last_error = \(bind: line)
                \(guardClause) RETURNING id
                """
            ).first()
            return updated == nil ? .notOwner : .retrying(dueAt: dueAt)
        }
    }

    /// The wait before the next attempt, in microseconds: 2^attempt seconds (2, 4, 8 …), at most an hour.
    package static func backoff(afterAttempt attempt: Int) -> Int64 {
        let seconds: Int64 = attempt >= 12 ? 3600 : min(Int64(1) << max(attempt, 0), 3600)
        return seconds * 1_000_000
    }

    /// Deletes finished jobs: done ones finished before `doneBefore`, failed ones before `failedBefore`.
    package func purgeFinished(doneBefore: Int64, failedBefore: Int64) async throws {
        try await store.database.raw(
            """
            DELETE FROM jobs WHERE finished_at IS NOT NULL
                AND ((state = 'done' AND finished_at < \(bind: doneBefore))
                     OR (state = 'failed' AND finished_at < \(bind: failedBefore)))
            """
        ).run()
    }

    // MARK: Reading (tests and operations)

    /// A job by id, whatever its workspace.
    package func job(id: String) async throws -> Job? {
        try await store.database.raw("SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE id = \(bind: id)").first()
            .map(Self.job(from:))
    }

    /// Jobs of one kind, oldest first, at most `limit`.
    package func jobs(kind: String, limit: Int = 1000) async throws -> [Job] {
        try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE kind = \(bind: kind) ORDER BY created_at, id
            LIMIT \(bind: limit)
            """
        ).all().map(Self.job(from:))
    }

    /// How many jobs are in each state (every state present, zero included); of one kind when given.
    package func counts(kind: String? = nil) async throws -> [JobState: Int] {
        let filter: SQLQueryString = kind.map { "WHERE kind = \(bind: $0)" } ?? ""
        let rows = try await store.database.raw(
            "SELECT state, COUNT(*) AS n FROM jobs \(filter) GROUP BY state"
        ).all()
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        for row in rows {
            if let state = JobState(rawValue: try row.decode(column: "state", as: String.self)) {
                counts[state] = try row.decode(column: "n", as: Int.self)
            }
        }
        return counts
    }

    // MARK: Rows

    static let expiredOnLastAttempt =
        "The lease expired during the last attempt: the runner stopped or ran past its lease."

    static func micros(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// The first line of `text`, cut to `errorLength` characters.
    static func oneLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let kept = trimmed.isEmpty ? "The job failed." : trimmed
        return kept.count > errorLength ? String(kept.prefix(errorLength - 1)) + "…" : kept
    }

    static func job(from row: any SQLRow) throws -> Job {
        let payloadText = try row.decode(column: "payload", as: String.self)
        return Job(
            workspaceID: try row.decode(column: "workspace_id", as: String?.self),
            id: try row.decode(column: "id", as: String.self),
            kind: try row.decode(column: "kind", as: String.self),
            payload: (try? JSONText.decode(payloadText)) ?? .null,
            dueAt: try row.decode(column: "due_at", as: Int64.self),
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            state: JobState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
            leaseOwner: try row.decode(column: "lease_owner", as: String?.self),
            leaseExpiresAt: try row.decode(column: "lease_expires_at", as: Int64?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            dedupKey: try row.decode(column: "dedup_key", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self))
    }
}

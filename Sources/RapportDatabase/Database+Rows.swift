import Synchronization

extension Database {
    /// Runs `body` in one write transaction on one connection, with the row statements of `RowSession`.
    /// On SQLite, transactions that arrive together share a commit (`GroupCommit`).
    package func writeRows<R: Sendable>(_ body: @escaping @Sendable (RowSession) async throws -> R)
        async throws -> R
    {
        guard kind == .sqlite else { return try await transactionAlone(body) }
        let result = SendableBox<R>()
        let answered = Mutex(false)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let job = GroupCommit.Job(
                run: { session in
                    do {
                        result.value = try await body(session)
                        return nil
                    } catch {
                        return error
                    }
                },
                finish: { error in
                    // (once: a job that failed on its own is not answered again if the commit fails)
                    let first = answered.withLock { done in
                        if done { return false }
                        done = true
                        return true
                    }
                    guard first else { return }
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                })
            if groupCommit.submit(job) { Task { await self.commitGroups() } }
        }
        return result.value!
    }

    /// Runs the waiting groups of transactions until none waits.
    private func commitGroups() async {
        while true {
            let group = groupCommit.next()
            if group.isEmpty { return }
            do {
                try await source.leaseRows(write: true, logger: logger) { session in
                    // First all together, without a savepoint each: no page is journalled per job, and FTS5
                    // does not flush its pending terms at each job's savepoint.
                    var group = group
                    try await session.run(kind.beginTransaction, [])
                    var failed: Int?
                    for (index, job) in group.enumerated() {
                        if let error = await job.run(session) {
                            // It failed after those before it: so it would again. The others start over,
                            // each in a savepoint, as below.
                            try? await session.run("ROLLBACK", [])
                            job.finish(error)
                            failed = index
                            break
                        }
                    }
                    if failed == nil {
                        do {
                            try await session.run("COMMIT", [])
                        } catch {
                            try? await session.run("ROLLBACK", [])
                            throw error
                        }
                        for job in group { job.finish(nil) }
                        return
                    }
                    group.remove(at: failed!)
                    guard !group.isEmpty else { return }
                    try await session.run(kind.beginTransaction, [])
                    do {
                        var succeeded: [GroupCommit.Job] = []
                        for job in group {
                            try await session.run("SAVEPOINT job", [])
                            if let error = await job.run(session) {
                                try await session.run("ROLLBACK TO job", [])
                                try await session.run("RELEASE job", [])
                                job.finish(error)
                            } else {
                                try await session.run("RELEASE job", [])
                                succeeded.append(job)
                            }
                        }
                        try await session.run("COMMIT", [])
                        for job in succeeded { job.finish(nil) }
                    } catch {
                        try? await session.run("ROLLBACK", [])
                        throw error
                    }
                }
            } catch {
                // (those that failed on their own were answered already; the rest share this failure)
                for job in group { job.finish(error) }
            }
        }
    }

    /// One transaction on its own connection (PostgreSQL).
    private func transactionAlone<R: Sendable>(_ body: @Sendable (RowSession) async throws -> R) async throws -> R {
        try await source.leaseRows(write: true, logger: logger) { session in
            try await session.run(kind.beginTransaction, [])
            do {
                let result = try await body(session)
                try await session.run("COMMIT", [])
                return result
            } catch {
                try? await session.run("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Runs `body` with a `RowSession` on a reading connection (on SQLite, one of the readers; nothing may
    /// be written).
    /// - Parameter inline: on SQLite, run the statements on the calling thread instead of handing each
    ///   to the pool's threads and back. Only for statements that take microseconds, such as a lookup
    ///   by primary key: a long one would hold up the caller's thread.
    package func readRows<R: Sendable>(inline: Bool = false, _ body: @Sendable (RowSession) async throws -> R)
        async throws -> R
    {
        try await source.leaseRows(write: false, fast: true, inline: inline, logger: logger, body)
    }
}

import Synchronization

/// SQLite's write transactions, grouped: those that arrive while one runs go together into the next
/// one and share its commit (one write of the log instead of one per transaction). Each still commits
/// or fails on its own terms, and none is answered before the commit that holds it: when one fails,
/// the group is rolled back, that one is answered with its error, and the others run again, each
/// inside its own savepoint, so that a later failure rolls back its savepoint only. (A transaction's
/// body only reads and writes the database, so running it again on the same state does the same.)
final class GroupCommit: Sendable {
    struct Job: Sendable {
        /// Runs the transaction's body; its error, if it failed.
        let run: @Sendable (RowSession) async -> (any Error)?
        /// Answers the caller once the outcome is durable (or failed).
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// The most transactions one commit holds.
    static let groupSize = 64
    private let state = Mutex<(waiting: [Job], leading: Bool)>(([], false))

    /// Queues a job; true when no group is running, so the caller must start one.
    func submit(_ job: Job) -> Bool {
        state.withLock { state in
            state.waiting.append(job)
            if state.leading { return false }
            state.leading = true
            return true
        }
    }

    /// The next group; empty (and no longer leading) when nothing waits.
    func next() -> [Job] {
        state.withLock { state in
            let group = Array(state.waiting.prefix(Self.groupSize))
            state.waiting.removeFirst(group.count)
            if group.isEmpty { state.leading = false }
            return group
        }
    }
}

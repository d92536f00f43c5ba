import Logging
import RapportCore
package import RapportStore

/// Runs the jobs of one kind. The body returns jobs to enqueue in the same transaction that marks this
/// one done (most return none). A thrown `RapportError`'s detail is kept as the job's last error; any
/// other error is kept by its type (or a database's error code and message), never a statement.
package struct JobHandler: Sendable {
    /// The kind of job it runs; stored in every job of the kind.
    package let kind: String
    /// Set for installation-wide recurring work: the runner schedules the job when it starts (once per
    /// installation, by a dedup key) and again this long after each run, in the run's own transaction.
    package let every: Duration?
    package let body: @Sendable (JobContext) async throws -> [NewJob]

    /// A handler for `kind`; `every` makes it a recurring installation-wide job.
    package init(
        kind: String, every: Duration? = nil, _ body: @escaping @Sendable (JobContext) async throws -> [NewJob]
    ) {
        self.kind = kind
        self.every = every
        self.body = body
    }

    /// The one scheduled run of a recurring job, due at `dueAt`; nil for other kinds.
    package func scheduled(dueAt: Int64) -> NewJob? {
        guard every != nil else { return nil }
        return NewJob(workspaceID: nil, kind: kind, dueAt: dueAt, dedupKey: kind)
    }
}

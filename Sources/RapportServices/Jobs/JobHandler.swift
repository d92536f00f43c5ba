package import Logging
import RapportCore
package import RapportStore

/// What a handler is given: the job it runs, the job's workspace, and a logger with `job.id`, `job.kind`
/// and `workspace.id` set.
package struct JobContext: Sendable {
    /// The job as claimed (its `attempts` counts this attempt).
    package let job: Job
    /// A logger for this job's lines.
    package let logger: Logger

    /// The workspace the job belongs to, nil for installation-wide work: the handler reads and writes
    /// this workspace only.
    package var workspaceID: String? { job.workspaceID }

    /// The context for `job`.
    package init(job: Job, logger: Logger) {
        self.job = job
        self.logger = logger
    }
}

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

/// The handlers of one installation by kind, built once in the composition root.
package struct JobRegistry: Sendable {
    let handlers: [String: JobHandler]

    /// A registry of `handlers`; kinds must be distinct.
    package init(_ handlers: [JobHandler]) {
        var byKind: [String: JobHandler] = [:]
        for handler in handlers {
            precondition(byKind[handler.kind] == nil, "two job handlers for kind \(handler.kind)")
            byKind[handler.kind] = handler
        }
        self.handlers = byKind
    }

    /// The handler for `kind`, if this installation has one.
    package func handler(for kind: String) -> JobHandler? {
        handlers[kind]
    }

    /// The recurring handlers, by kind.
    package var recurring: [JobHandler] {
        handlers.values.filter { $0.every != nil }.sorted { $0.kind < $1.kind }
    }
}

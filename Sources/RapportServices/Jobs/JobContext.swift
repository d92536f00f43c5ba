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

/// What `JobQueue.fail` did with a job.
package enum JobFailure: Sendable, Equatable {
    /// Queued again, due at this time (microseconds).
    case retrying(dueAt: Int64)
    /// Out of attempts (or failed for good): stopped as `failed` with its error kept.
    case failed
    /// The caller no longer holds the lease (it expired and another runner took the job): nothing changed.
    case notOwner
}

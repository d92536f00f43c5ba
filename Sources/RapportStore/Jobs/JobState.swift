/// Where a job is in its life: waiting (or waiting again after a failed attempt), leased to a runner,
/// or finished one way or the other.
package enum JobState: String, Sendable, CaseIterable {
    case queued, running, done, failed
}

import Foundation
import RapportCore
package import RapportStore

extension JobHandler {
    /// Hourly housekeeping, installation-wide: drops expired sessions, login failures older than the
    /// throttle window, done jobs after a week and failed jobs after 30 days. Each step is idempotent, so a
    /// run repeated after a crash does no harm.
    package static func maintenance(_ services: Services, queue: JobQueue) -> JobHandler {
        JobHandler(kind: "maintenance", every: .seconds(3600)) { _ in
            try await services.sessions.purgeExpired()
            try await services.throttle.purge(olderThan: services.settings.loginThrottleWindow)
            let now = Timestamp.micros(Date())
            let day: Int64 = 86_400 * 1_000_000
            try await queue.purgeFinished(doneBefore: now - 7 * day, failedBefore: now - 30 * day)
            return []
        }
    }

    /// Does nothing, after an optional pause (`{"pause_ms": N}`, at most a second): lets an operator or a
    /// test see that the runners of an installation take and finish work.
    package static let noop = JobHandler(kind: "noop") { context in
        if case .object(let members) = context.job.payload, case .number(let pause)? = members["pause_ms"], pause > 0 {
            try await Task.sleep(for: .milliseconds(Int(min(pause, 1000))))
        }
        return []
    }
}

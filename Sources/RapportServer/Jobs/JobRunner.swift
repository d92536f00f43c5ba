import Foundation
package import Logging
import RapportCore
import RapportDatabase
package import RapportServices
package import RapportStore
import ServiceLifecycle

/// Runs due jobs from the queue in this process, beside any number of runners in other processes.
///
/// Each worker claims one job at a time under a lease, runs its kind's handler with the job's workspace,
/// then completes it or records the failure (the queue retries with backoff). It polls every
/// `idleInterval` while there is nothing to do and at once after a job. On graceful shutdown it stops
/// claiming; a job in flight finishes (or, if the task is cancelled, is left to its lease expiring).
package struct JobRunner: Service {
    /// How a runner polls and leases.
    package struct Configuration: Sendable {
        /// The wait between polls of an empty queue.
        package var idleInterval: Duration = .milliseconds(250)
        /// How long a claimed job is this runner's; past it, another runner may take the job again.
        package var lease: Duration = .seconds(300)
        /// Jobs run at once in this process.
        package var workers = 1

        /// The defaults: a poll every quarter second, five-minute leases, one worker.
        package init() {}
    }

    let queue: JobQueue
    let registry: JobRegistry
    let configuration: Configuration
    let owner: String
    let logger: Logger

    /// A runner of `registry`'s handlers; `owner` names it in leases (each worker adds its number).
    package init(
        queue: JobQueue, registry: JobRegistry, configuration: Configuration = .init(),
        owner: String = JobRunner.makeOwner(), logger: Logger
    ) {
        self.queue = queue
        self.registry = registry
        self.configuration = configuration
        self.owner = owner
        self.logger = logger
    }

    /// A lease owner unique to this runner: host, process id and a random part.
    package static func makeOwner() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(RecordID.make().suffix(8))"
    }

    package func run() async throws {
        await scheduleRecurring()
        await withTaskGroup(of: Void.self) { group in
            for worker in 1...max(configuration.workers, 1) {
                group.addTask { await work(owner: "\(owner)/\(worker)") }
            }
        }
    }

    /// Makes sure each recurring job is scheduled; the dedup key keeps it to one per installation.
    func scheduleRecurring() async {
        for handler in registry.recurring {
            guard let job = handler.scheduled(dueAt: Timestamp.micros(Date())) else { continue }
            do {
                try await queue.enqueue(job)
            } catch {
                logger.warning(
                    "cannot schedule a recurring job",
                    metadata: ["job.kind": "\(handler.kind)", "error": "\(DatabaseErrors.logDescription(error))"])
            }
        }
    }

    func work(owner: String) async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let wait: Duration
            do {
                if let job = try await queue.claim(owner: owner, leaseFor: configuration.lease) {
                    await execute(job, owner: owner)
                    failures = 0
                    continue
                }
                failures = 0
                wait = configuration.idleInterval
            } catch {
                // The database is unreachable or refused: try again, less often while it lasts.
                failures += 1
                if failures == 1 || failures.isMultiple(of: 20) {
                    logger.warning(
                        "cannot claim jobs", metadata: ["error": "\(DatabaseErrors.logDescription(error))"])
                }
                wait = configuration.idleInterval * min(1 << min(failures, 5), 20)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }

    /// Runs one claimed job and records how it ended. Errors writing that outcome are logged: the lease
    /// then expires and another attempt follows.
    func execute(_ job: Job, owner: String) async {
        var logger = self.logger
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "job.kind"] = "\(job.kind)"
        if let workspace = job.workspaceID { logger[metadataKey: "workspace.id"] = "\(workspace)" }
        let attempt: Logger.Metadata = ["job.attempt": "\(job.attempts)"]
        guard let handler = registry.handler(for: job.kind) else {
            let error = "No handler for the job kind \(job.kind) in this version of Rapport."
            do {
                _ = try await queue.fail(id: job.id, owner: owner, error: error, permanently: true)
                logger.warning("job failed: unknown kind", metadata: attempt)
            } catch {
                logger.warning(
                    "cannot record a job's failure", metadata: ["error": "\(DatabaseErrors.logDescription(error))"])
            }
            return
        }
        do {
            var followUps: [NewJob]
            do {
                followUps = try await handler.body(JobContext(job: job, logger: logger))
            } catch {
                if Task.isCancelled {
                    logger.info("job stopped with the process; its lease will expire and it will run again")
                    return
                }
                let next = handler.every.flatMap { handler.scheduled(dueAt: Self.micros(fromNow: $0)) }
                let message = Self.describe(error)
                switch try await queue.fail(id: job.id, owner: owner, error: message, then: next.map { [$0] } ?? []) {
                case .retrying(let dueAt):
                    logger.info(
                        "job failed; will retry",
                        metadata: attempt.merging(["job.due_at": "\(Timestamp.rfc3339(dueAt))", "error": "\(message)"])
                        {
                            $1
                        })
                case .failed:
                    logger.warning("job failed for good", metadata: attempt.merging(["error": "\(message)"]) { $1 })
                case .notOwner:
                    logger.notice("job failed after its lease passed to another runner", metadata: attempt)
                }
                return
            }
            if let every = handler.every, let next = handler.scheduled(dueAt: Self.micros(fromNow: every)) {
                followUps.append(next)
            }
            if try await queue.complete(id: job.id, owner: owner, then: followUps) {
                logger.info("job done", metadata: attempt)
            } else {
                logger.notice("job finished after its lease passed to another runner", metadata: attempt)
            }
        } catch {
            logger.warning(
                "cannot record how a job ended", metadata: ["error": "\(DatabaseErrors.logDescription(error))"])
        }
    }

    /// The time `duration` from now, in microseconds.
    static func micros(fromNow duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return Timestamp.micros(Date()) + seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// The line kept as a job's last error: a `RapportError`'s detail (written for people), else the
    /// error's type or a database's code and message; never a statement or a stack trace.
    static func describe(_ error: any Error) -> String {
        if let error = error as? RapportError { return error.detail }
        return DatabaseErrors.logDescription(error)
    }
}

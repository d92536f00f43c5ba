import Foundation
import Logging
import RapportCore
import RapportDatabase
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import ServiceLifecycle
import Testing

/// The calls a test handler received, in order.
actor Calls {
    private(set) var all: [(jobID: String, workspaceID: String?)] = []

    func record(_ context: JobContext) {
        all.append((context.job.id, context.workspaceID))
    }
}

/// A thrown error whose text looks like what must never reach a job's last error.
struct LeakyError: Error, CustomStringConvertible {
    var description: String { "SELECT secret FROM users WHERE id = 42\n  at Frame 1" }
}

/// A condition a test waited for that never came.
struct Waited: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

@Suite("Job runner")
struct JobRunnerTests {
    static let quiet = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }

    static func runner(_ store: Store, _ handlers: [JobHandler], owner: String = JobRunner.makeOwner()) -> JobRunner {
        var configuration = JobRunner.Configuration()
        configuration.idleInterval = .milliseconds(20)
        configuration.lease = .seconds(60)
        return JobRunner(
            queue: JobQueue(store: store), registry: JobRegistry(handlers), configuration: configuration,
            owner: owner, logger: quiet)
    }

    /// Runs `runners` until `body` returns, then shuts them down gracefully, as `rapport serve` does on SIGTERM.
    static func running<R: Sendable>(_ runners: [JobRunner], _ body: () async throws -> R) async throws -> R {
        let group = ServiceGroup(services: runners, logger: quiet)
        let task = Task { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await task.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
    }

    /// Polls until `condition` holds; fails after a generous deadline rather than hanging.
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw Waited(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test(
        "a job runs once across a restart: the done job is not run again, a queued one is run",
        arguments: Backend.allCases)
    func runsOnceAcrossRestart(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        do {
            try await runOnceAcrossRestart(url)
        } catch {
            await drop()
            throw error
        }
        await drop()
    }

    func runOnceAcrossRestart(_ url: DatabaseURL) async throws {
        let calls = Calls()
        let counting = JobHandler(kind: "count") { context in
            await calls.record(context)
            return []
        }
        // given a process that ran one job and was stopped, with a second job enqueued after it stopped
        let first = try await Store.open(url, logger: Self.quiet)
        try await first.migrate()
        let done = try #require(try await JobQueue(store: first).enqueue(NewJob(workspaceID: nil, kind: "count")))
        try await Self.running([Self.runner(first, [counting])]) {
            try await Self.eventually("the first job") {
                try await JobQueue(store: first).job(id: done)?.state == .done
            }
        }
        let queued = try #require(try await JobQueue(store: first).enqueue(NewJob(workspaceID: nil, kind: "count")))
        await first.close()
        // when a new process opens the same database and runs its jobs
        let second = try await Store.open(url, logger: Self.quiet)
        try await second.migrate()
        try await Self.running([Self.runner(second, [counting])]) {
            try await Self.eventually("the queued job") {
                try await JobQueue(store: second).job(id: queued)?.state == .done
            }
        }
        // then each job ran once: the older, done one (claimed first were it due) was not run again
        #expect(await calls.all.map(\.jobID) == [done, queued])
        #expect(try await JobQueue(store: second).job(id: done)?.attempts == 1)
        #expect(try await JobQueue(store: second).job(id: queued)?.attempts == 1)
        await second.close()
    }

    @Test("a handler is called with its job's workspace, never another's", arguments: Backend.allCases)
    func jobsKeepTheirWorkspace(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let queue = JobQueue(store: store)
            let calls = Calls()
            // given jobs of two workspaces and one installation-wide job
            let a = try await accounts.createWorkspace(name: "Aarhus")
            let b = try await accounts.createWorkspace(name: "Tehran")
            var expected: [String: String?] = [:]
            for index in 0..<10 {
                let workspace = index.isMultiple(of: 2) ? a.id : b.id
                let id = try #require(try await queue.enqueue(NewJob(workspaceID: workspace, kind: "scoped")))
                expected[id] = workspace
            }
            expected[try #require(try await queue.enqueue(NewJob(workspaceID: nil, kind: "scoped")))] = .some(nil)
            // when two runners run them
            let handler = JobHandler(kind: "scoped") { context in
                await calls.record(context)
                return []
            }
            try await Self.running([Self.runner(store, [handler]), Self.runner(store, [handler])]) {
                try await Self.eventually("every job") { try await queue.counts(kind: "scoped")[.done] == 11 }
            }
            // then each handler call had the job's own workspace
            let all = await calls.all
            #expect(all.count == 11)
            for call in all {
                #expect(expected[call.jobID] == .some(call.workspaceID), "job \(call.jobID)")
            }
        }
    }

    @Test("a job of a kind this installation does not know fails at once, saying so", arguments: Backend.allCases)
    func unknownKindFailsPermanently(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            // given a job no handler runs, allowed five attempts
            let id = try #require(try await queue.enqueue(NewJob(workspaceID: nil, kind: "mystery", maxAttempts: 5)))
            // when a runner meets it
            try await Self.running([Self.runner(store, [.noop])]) {
                try await Self.eventually("the job to fail") { try await queue.job(id: id)?.state == .failed }
            }
            // then it failed on the first attempt, naming the kind
            let job = try #require(try await queue.job(id: id))
            #expect(job.attempts == 1)
            #expect(job.lastError == "No handler for the job kind mystery in this version of Rapport.")
        }
    }

    @Test(
        "a handler's error is kept as a readable line: a RapportError's detail, otherwise never its text",
        arguments: Backend.allCases)
    func handlerErrorsAreKeptReadable(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            // given two one-attempt jobs whose handlers throw
            let refused = try #require(
                try await queue.enqueue(NewJob(workspaceID: nil, kind: "refuse", maxAttempts: 1)))
            let leaky = try #require(try await queue.enqueue(NewJob(workspaceID: nil, kind: "leak", maxAttempts: 1)))
            let handlers = [
                JobHandler(kind: "refuse") { _ in
                    throw RapportError(.badRequest, "The mail server refused the message.")
                },
                JobHandler(kind: "leak") { _ in throw LeakyError() },
            ]
            // when a runner runs them
            try await Self.running([Self.runner(store, handlers)]) {
                try await Self.eventually("both jobs to fail") { try await queue.counts()[.failed] == 2 }
            }
            // then the detail is kept, and the other error by its type only
            #expect(try await queue.job(id: refused)?.lastError == "The mail server refused the message.")
            let kept = try #require(try await queue.job(id: leaky)?.lastError)
            #expect(kept == "LeakyError")
            #expect(!kept.contains("SELECT"))
        }
    }

    @Test(
        "housekeeping is one recurring installation-wide job: it purges, then schedules its next run an hour later, once",
        arguments: Backend.allCases)
    func housekeepingRecurs(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let runtime = app.runtime
            let queue = JobQueue(store: runtime.store)
            // given an expired session and a live one
            try await app.services.sessions.set(id: "expired", data: "{}", expiresIn: .seconds(-10))
            try await app.services.sessions.set(id: "live", data: "{}", expiresIn: .seconds(3600))
            // when two processes' runners start with the installation's handlers
            let registry = buildJobRegistry(runtime)
            var configuration = JobRunner.Configuration()
            configuration.idleInterval = .milliseconds(20)
            let runners = (0..<2).map { _ in
                JobRunner(queue: queue, registry: registry, configuration: configuration, logger: Self.quiet)
            }
            try await Self.running(runners) {
                try await Self.eventually("housekeeping to run") {
                    try await queue.counts(kind: "maintenance")[.done] == 1
                }
            }
            // then the expired session is gone and the live one kept
            #expect(try await app.services.sessions.get(id: "expired") == nil)
            #expect(try await app.services.sessions.get(id: "live") != nil)
            // and exactly one next run is scheduled, installation-wide, an hour after the first finished
            let jobs = try await queue.jobs(kind: "maintenance")
            #expect(jobs.count == 2)
            let ran = try #require(jobs.first { $0.state == .done })
            let next = try #require(jobs.first { $0.state == .queued })
            #expect(ran.workspaceID == nil && next.workspaceID == nil)
            #expect(next.dedupKey == "maintenance")
            #expect(next.dueAt >= (ran.finishedAt ?? 0) + 3_599 * 1_000_000)
        }
    }
}

import Foundation
import Logging
import RapportCore
import RapportStore
import RapportTestSupport
import Testing

/// The jobs were not all done before the test's deadline.
struct JobsNotDone: Error {}

@Suite("Jobs across server processes")
struct JobsCLITests {
    /// The ids of the jobs a server's log says it finished, one entry per `job done` line of that kind.
    static func finished(kind: String, in log: String) -> [String] {
        log.split(separator: "\n").compactMap { line in
            guard line.hasSuffix("job done"), line.contains(" job.kind=\(kind) ") else { return nil }
            guard let range = line.range(of: #"job\.id=[0-9a-f-]+"#, options: .regularExpression) else { return nil }
            return String(line[range].dropFirst("job.id=".count))
        }
    }

    @Test("two rapport serve processes on one PostgreSQL never run the same job")
    func twoServersShareTheQueue() async throws {
        // given two servers on one PostgreSQL database
        let (url, drop) = try await TestDB.create(.postgres)
        let database = CLITests.text(url)
        let environment = ["RAPPORT_LOG_LEVEL": "info"]
        let (one, _) = try await RapportProcess.serve(database: database, environment: environment)
        let (two, _) = try await RapportProcess.serve(database: database, environment: environment)
        let store = try await Store.open(url, logger: Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() })
        do {
            // when 100 jobs are enqueued at once, each taking a moment
            let queue = JobQueue(store: store)
            let ids = try await store.transaction { database in
                try await queue.enqueue(
                    (0..<100).map { _ in
                        NewJob(workspaceID: nil, kind: "noop", payload: .object(["pause_ms": .number(20)]))
                    }, on: database)
            }.compactMap { $0 }
            #expect(ids.count == 100)
            let deadline = ContinuousClock.now + .seconds(120)
            while try await queue.counts(kind: "noop")[.done] != 100 {
                guard ContinuousClock.now < deadline else { throw JobsNotDone() }
                try await Task.sleep(for: .milliseconds(50))
            }
            // then every job ran exactly once: one attempt each, one `job done` line across both logs
            let jobs = try await queue.jobs(kind: "noop")
            #expect(jobs.count == 100)
            #expect(jobs.allSatisfy { $0.state == .done && $0.attempts == 1 })
            try await Task.sleep(for: .milliseconds(200))  // let the last log lines arrive
            let byOne = Self.finished(kind: "noop", in: one.standardError)
            let byTwo = Self.finished(kind: "noop", in: two.standardError)
            #expect((byOne + byTwo).sorted() == ids.sorted())
            #expect(Set(byOne).isDisjoint(with: byTwo))
            // and both servers took part and are still running
            #expect(!byOne.isEmpty && !byTwo.isEmpty, "one ran \(byOne.count), two ran \(byTwo.count)")
            #expect(one.process.isRunning && two.process.isRunning)
            // and the leases held: each job's owner is one of the two processes
            let owners = Set(jobs.compactMap { $0.leaseOwner?.split(separator: "/").dropLast().joined(separator: "/") })
            #expect(owners.count == 2, "\(owners)")
        } catch {
            one.signal(SIGTERM)
            two.signal(SIGTERM)
            await store.close()
            await drop()
            throw error
        }
        one.signal(SIGTERM)
        two.signal(SIGTERM)
        #expect(try await one.wait() == 0)
        #expect(try await two.wait() == 0)
        await store.close()
        await drop()
    }
}

import Foundation
import RapportCore
import RapportStore
import RapportTestSupport
import Testing

@Suite("Job queue in the store")
struct JobQueueTests {
    struct Refused: Error {
        let jobID: String
    }

    static let second: Int64 = 1_000_000

    @Test(
        "a job enqueued in a transaction that rolls back does not exist; one whose transaction commits does",
        arguments: Backend.allCases)
    func enqueueFollowsTheTransaction(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            let accounts = AccountRepository(store: store)
            // given a write that fails after it enqueued its job
            let refused = await #expect(throws: Refused.self) {
                try await store.transaction { database in
                    let workspace = try await accounts.createWorkspace(name: "Kyiv", on: database)
                    let id = try await queue.enqueue(NewJob(workspaceID: workspace.id, kind: "welcome"), on: database)
                    throw Refused(jobID: try #require(id))
                }
            }
            // then neither the write nor its job exists
            #expect(try await queue.job(id: try #require(refused).jobID) == nil)
            #expect(try await accounts.workspace(named: "Kyiv") == nil)
            #expect(try await queue.counts()[.queued] == 0)

            // when the same write commits
            let (workspace, id) = try await store.transaction { database in
                let workspace = try await accounts.createWorkspace(name: "Kyiv", on: database)
                let id = try await queue.enqueue(NewJob(workspaceID: workspace.id, kind: "welcome"), on: database)
                return (workspace, try #require(id))
            }
            // then its job is there, queued, in its workspace
            let job = try #require(try await queue.job(id: id))
            #expect(job.state == .queued)
            #expect(job.workspaceID == workspace.id)
            #expect(job.attempts == 0)
            #expect(try await queue.counts() == [.queued: 1, .running: 0, .done: 0, .failed: 0])
        }
    }

    @Test("only due jobs are claimed, the earliest first", arguments: Backend.allCases)
    func claimsDueJobsInOrder(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            // given three jobs due at t0 + 20 s, t0 + 10 s and t0 + 30 s
            let t0 = Timestamp.micros(Date())
            var ids: [String] = []
            for offset: Int64 in [20, 10, 30] {
                ids.append(
                    try #require(
                        try await queue.enqueue(
                            NewJob(workspaceID: nil, kind: "report", dueAt: t0 + offset * Self.second), now: t0)))
            }
            // when a runner polls at t0 + 25 s
            let now = t0 + 25 * Self.second
            let first = try await queue.claim(owner: "runner-a", now: now, leaseFor: .seconds(60))
            let second = try await queue.claim(owner: "runner-a", now: now, leaseFor: .seconds(60))
            let third = try await queue.claim(owner: "runner-a", now: now, leaseFor: .seconds(60))
            // then it gets the two due jobs, earliest first, leased to it; the later one waits
            #expect(first?.id == ids[1])
            #expect(second?.id == ids[0])
            #expect(third == nil)
            #expect(first?.state == .running)
            #expect(first?.attempts == 1)
            #expect(first?.leaseOwner == "runner-a")
            #expect(first?.leaseExpiresAt == now + 60 * Self.second)
            #expect(try await queue.job(id: ids[2])?.state == .queued)
        }
    }

    @Test("a failing job retries with backoff, then stops as failed with its error kept", arguments: Backend.allCases)
    func retriesWithBackoffThenFails(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            // given a job allowed three attempts
            var now = Timestamp.micros(Date())
            let id = try #require(
                try await queue.enqueue(NewJob(workspaceID: nil, kind: "send", maxAttempts: 3), now: now))
            // when every attempt fails
            var waits: [Int64] = []
            for attempt in 1...3 {
                let job = try #require(try await queue.claim(owner: "runner-a", now: now, leaseFor: .seconds(60)))
                #expect(job.id == id)
                #expect(job.attempts == attempt)
                let outcome = try await queue.fail(
                    id: id, owner: "runner-a", error: "The mail server refused the message.\n    at Frame 1\n", now: now
                )
                if attempt < 3 {
                    guard case .retrying(let dueAt) = outcome else {
                        Issue.record("attempt \(attempt) should be retried, not \(outcome)")
                        return
                    }
                    waits.append(dueAt - now)
                    // not before its backoff is over
                    #expect(try await queue.claim(owner: "runner-b", now: dueAt - 1, leaseFor: .seconds(60)) == nil)
                    #expect(try await queue.job(id: id)?.lastError == "The mail server refused the message.")
                    now = dueAt
                } else {
                    #expect(outcome == .failed)
                }
            }
            // then the waits grew, and the job stopped with its error kept as one line
            #expect(waits.count == 2)
            #expect(waits[0] > 0 && waits[1] > waits[0])
            let job = try #require(try await queue.job(id: id))
            #expect(job.state == .failed)
            #expect(job.attempts == 3)
            #expect(job.lastError == "The mail server refused the message.")
            #expect(job.finishedAt != nil)
            #expect(
                try await queue.claim(owner: "runner-a", now: now + 86_400 * Self.second, leaseFor: .seconds(60)) == nil
            )
            #expect(try await queue.counts()[.failed] == 1)
        }
    }

    @Test(
        "a lease that expires lets another owner take the job, and the first owner can then no longer complete it",
        arguments: Backend.allCases)
    func expiredLeaseIsTakenOver(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            // given a job claimed by a runner that is then killed (it never completes the job)
            let t0 = Timestamp.micros(Date())
            let id = try #require(try await queue.enqueue(NewJob(workspaceID: nil, kind: "send"), now: t0))
            _ = try #require(try await queue.claim(owner: "runner-a", now: t0, leaseFor: .seconds(30)))
            // when another runner polls while the lease holds, and again after it expired
            let early = try await queue.claim(owner: "runner-b", now: t0 + 10 * Self.second, leaseFor: .seconds(30))
            let late = try await queue.claim(owner: "runner-b", now: t0 + 31 * Self.second, leaseFor: .seconds(30))
            // then only the second poll takes the job, as a new attempt
            #expect(early == nil)
            #expect(late?.id == id)
            #expect(late?.attempts == 2)
            #expect(late?.leaseOwner == "runner-b")
            // and the first runner, come back, can neither complete nor fail it
            #expect(try await queue.complete(id: id, owner: "runner-a") == false)
            #expect(try await queue.fail(id: id, owner: "runner-a", error: "late") == .notOwner)
            #expect(try await queue.job(id: id)?.state == .running)
            #expect(try await queue.complete(id: id, owner: "runner-b") == true)
            let job = try #require(try await queue.job(id: id))
            #expect(job.state == .done)
            #expect(job.leaseOwner == "runner-b")
            #expect(job.lastError == nil)
        }
    }

    @Test("a lease that expires during the last attempt stops the job as failed", arguments: Backend.allCases)
    func expiredLeaseOnLastAttempt(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            // given a one-attempt job whose runner was killed mid-job
            let t0 = Timestamp.micros(Date())
            let id = try #require(
                try await queue.enqueue(NewJob(workspaceID: nil, kind: "send", maxAttempts: 1), now: t0))
            _ = try #require(try await queue.claim(owner: "runner-a", now: t0, leaseFor: .seconds(30)))
            // when another runner polls after the lease expired
            let taken = try await queue.claim(owner: "runner-b", now: t0 + 31 * Self.second, leaseFor: .seconds(30))
            // then it does not run it again: the job failed, saying why
            #expect(taken == nil)
            let job = try #require(try await queue.job(id: id))
            #expect(job.state == .failed)
            #expect(job.lastError?.contains("lease expired") == true)
        }
    }

    @Test(
        "a job with a dedup key is scheduled once among unfinished jobs, per workspace, and again once finished",
        arguments: Backend.allCases)
    func dedupKeyKeepsOneUnfinished(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            let accounts = AccountRepository(store: store)
            let a = try await accounts.createWorkspace(name: "Aarhus")
            let b = try await accounts.createWorkspace(name: "Tehran")
            // when eight processes schedule the same installation-wide job at once
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await queue.enqueue(NewJob(workspaceID: nil, kind: "maintenance", dedupKey: "maintenance"))
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            // then one was scheduled
            #expect(ids.compactMap { $0 }.count == 1)
            #expect(try await queue.counts(kind: "maintenance")[.queued] == 1)
            // and the same key in two workspaces is two jobs
            let digestA = try await queue.enqueue(NewJob(workspaceID: a.id, kind: "digest", dedupKey: "digest"))
            let digestB = try await queue.enqueue(NewJob(workspaceID: b.id, kind: "digest", dedupKey: "digest"))
            let again = try await queue.enqueue(NewJob(workspaceID: a.id, kind: "digest", dedupKey: "digest"))
            #expect(digestA != nil && digestB != nil && again == nil)

            // when the scheduled job runs and completes, scheduling its next run in the same transaction
            let now = Timestamp.micros(Date())
            let job = try #require(try await queue.claim(owner: "runner-a", now: now, leaseFor: .seconds(60)))
            #expect(job.kind == "maintenance")
            #expect(
                try await queue.enqueue(NewJob(workspaceID: nil, kind: "maintenance", dedupKey: "maintenance")) == nil)
            let next = NewJob(
                workspaceID: nil, kind: "maintenance", dueAt: now + 3600 * Self.second, dedupKey: "maintenance")
            #expect(try await queue.complete(id: job.id, owner: "runner-a", now: now, then: [next]))
            // then exactly one next run is queued
            #expect(try await queue.counts(kind: "maintenance") == [.queued: 1, .running: 0, .done: 1, .failed: 0])
            let queued = try await queue.jobs(kind: "maintenance").filter { $0.state == .queued }
            #expect(queued.map(\.dueAt) == [now + 3600 * Self.second])
        }
    }

    @Test(
        "cancelling a dedup key deletes its queued job and frees the key; a job a runner holds is left to finish",
        arguments: Backend.allCases)
    func cancelByDedupKey(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            let accounts = AccountRepository(store: store)
            let a = try await store.transaction { try await accounts.createWorkspace(name: "A", on: $0) }
            let b = try await store.transaction { try await accounts.createWorkspace(name: "B", on: $0) }
            let now = Timestamp.micros(Date())
            // given a queued reminder in each of two workspaces under the same key
            let inA = try await queue.enqueue(
                NewJob(workspaceID: a.id, kind: "reminder", dueAt: now + 60 * Self.second, dedupKey: "task:1"))
            let inB = try await queue.enqueue(
                NewJob(workspaceID: b.id, kind: "reminder", dueAt: now + 60 * Self.second, dedupKey: "task:1"))
            // when A's is cancelled
            let cancelled = try await store.transaction {
                try await queue.cancel(workspaceID: a.id, dedupKey: "task:1", on: $0)
            }
            // then it is gone, B's is untouched, and the key is free in A again
            #expect(cancelled)
            let (idA, idB) = (try #require(inA), try #require(inB))
            #expect(try await queue.job(id: idA) == nil)
            #expect(try await queue.job(id: idB)?.state == .queued)
            #expect(try await queue.unfinished(workspaceID: a.id, dedupKey: "task:1") == nil)
            let again = try await queue.enqueue(
                NewJob(workspaceID: a.id, kind: "reminder", dueAt: now - Self.second, dedupKey: "task:1"))
            #expect(again != nil)
            // when a runner holds that job, cancelling changes nothing: it finishes as usual
            let held = try #require(try await queue.claim(owner: "runner", now: now, leaseFor: .seconds(60)))
            #expect(held.id == again)
            let second = try await store.transaction {
                try await queue.cancel(workspaceID: a.id, dedupKey: "task:1", on: $0)
            }
            #expect(!second)
            #expect(try await queue.complete(id: held.id, owner: "runner", now: now))
            #expect(try await queue.job(id: held.id)?.state == .done)
        }
    }

    @Test(
        "rescheduling replaces the queued job of a key by a new one, in the caller's transaction",
        arguments: Backend.allCases)
    func rescheduleByDedupKey(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let queue = JobQueue(store: store)
            let accounts = AccountRepository(store: store)
            let a = try await store.transaction { try await accounts.createWorkspace(name: "A", on: $0) }
            let now = Timestamp.micros(Date())
            let first = try #require(
                try await queue.enqueue(
                    NewJob(workspaceID: a.id, kind: "reminder", dueAt: now + 60 * Self.second, dedupKey: "task:1@60")))
            // when a rescheduling rolls back, nothing moved
            struct Undo: Error {}
            await #expect(throws: Undo.self) {
                try await store.transaction { database in
                    try await queue.reschedule(
                        workspaceID: a.id, dedupKey: "task:1@60",
                        to: NewJob(
                            workspaceID: a.id, kind: "reminder", dueAt: now + 90 * Self.second, dedupKey: "task:1@90"),
                        on: database)
                    throw Undo()
                }
            }
            #expect(try await queue.job(id: first)?.state == .queued)
            // when it commits, the old job is gone and one new job is queued at the new time
            let moved = try await store.transaction { database in
                try await queue.reschedule(
                    workspaceID: a.id, dedupKey: "task:1@60",
                    to: NewJob(
                        workspaceID: a.id, kind: "reminder", dueAt: now + 90 * Self.second, dedupKey: "task:1@90"),
                    on: database)
            }
            #expect(try await queue.job(id: first) == nil)
            let movedID = try #require(moved)
            let job = try #require(try await queue.job(id: movedID))
            #expect(job.dueAt == now + 90 * Self.second)
            #expect(job.dedupKey == "task:1@90")
            #expect(try await queue.counts(kind: "reminder") == [.queued: 1, .running: 0, .done: 0, .failed: 0])
            // and rescheduling to nothing cancels it
            let none = try await store.transaction {
                try await queue.reschedule(workspaceID: a.id, dedupKey: "task:1@90", to: nil, on: $0)
            }
            #expect(none == nil)
            #expect(try await queue.counts(kind: "reminder")[.queued] == 0)
        }
    }
}

import Foundation
import Logging
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Task reminders across server processes")
struct TaskRemindersCLITests {
    @Test("two rapport serve processes on one PostgreSQL send a reminder that falls due exactly once")
    func oneReminderFromTwoServers() async throws {
        // given a workspace whose owner has tasks due in a few seconds, on one PostgreSQL database
        let (url, drop) = try await TestDB.create(.postgres)
        let database = CLITests.text(url)
        let logger = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }
        let store = try await Store.open(url, logger: logger)
        try await store.migrate()
        let services = Services(store: store, settings: ServiceSettings(secretKey: "test-secret"))
        let (_, owner) = try await AccountService(services).createWorkspace(
            name: "Acme",
            owner: UserDraft(email: "owner@acme.test", name: "Owner", role: nil, password: Fixtures.password))
        let tasks = RecordService(services, schema: .tasks)
        let due = Timestamp.micros(Date()) + 4_000_000
        var ids: [String] = []
        for title in ["Call Oksana", "Send the quote", "Book the demo"] {
            ids.append(
                try await tasks.create(
                    Viewer(owner), fields: ["title": .string(title), "due_at": .string(Timestamp.rfc3339(due))],
                    actor: Actor(.user, id: owner.id)
                ).id)
        }
        // when two servers run their job runners side by side past that time
        let (one, _) = try await RapportProcess.serve(database: database)
        let (two, _) = try await RapportProcess.serve(database: database)
        let queue = JobQueue(store: store)
        do {
            let deadline = ContinuousClock.now + .seconds(60)
            while try await queue.counts(kind: TaskReminders.kind)[.done] != ids.count {
                guard ContinuousClock.now < deadline else { throw JobsNotDone() }
                try await Task.sleep(for: .milliseconds(50))
            }
            // and a little longer, for any second sending to show
            try await Task.sleep(for: .seconds(1))
            // then the owner has exactly one reminder per task, each job run once
            let sent = try await NotificationRepository(store: store).page(
                workspaceID: owner.workspaceID, recipientID: owner.id, limit: 100, after: nil
            ).items.filter { $0.kind == .reminder }
            #expect(sent.compactMap(\.recordID).sorted() == ids.sorted())
            let jobs = try await queue.jobs(kind: TaskReminders.kind)
            #expect(jobs.count == ids.count)
            #expect(jobs.allSatisfy { $0.state == .done && $0.attempts == 1 })
            #expect(one.process.isRunning && two.process.isRunning)
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

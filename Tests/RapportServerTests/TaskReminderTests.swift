import Foundation
import Logging
import RapportCore
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

/// Task reminders end to end in one process: the task's write queues the reminder, a job runner sends
/// it to the assignee's notification centre, once.
@Suite("Task reminders")
struct TaskReminderTests {
    static let second: Int64 = 1_000_000

    /// A task made by `user` through the record service, as the API and pages make them.
    static func task(_ app: TestApp, by user: User, _ fields: [String: JSONValue]) async throws -> Record {
        try await RecordService(app.services, schema: .tasks).create(
            Viewer(user), fields: fields, actor: Actor(.user, id: user.id))
    }

    /// An RFC 3339 time `micros` from now.
    static func fromNow(_ micros: Int64) -> JSONValue { .string(Timestamp.rfc3339(Timestamp.micros(Date()) + micros)) }

    /// The reminders a user has received.
    static func reminders(_ app: TestApp, _ user: User) async throws -> [UserNotification] {
        try await NotificationRepository(store: app.runtime.store).page(
            workspaceID: user.workspaceID, recipientID: user.id, limit: 100, after: nil
        ).items.filter { $0.kind == .reminder }
    }

    /// The app's job runner with the installation's handlers, polling often.
    static func runner(_ app: TestApp) -> JobRunner {
        var configuration = JobRunner.Configuration()
        configuration.idleInterval = .milliseconds(20)
        return JobRunner(
            queue: JobQueue(store: app.runtime.store), registry: buildJobRegistry(app.runtime),
            configuration: configuration, logger: JobRunnerTests.quiet)
    }

    @Test(
        "a due reminder tells the assignee exactly once, naming the task; a job run again sends nothing more",
        arguments: Backend.allCases)
    func notifiesOnce(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            // given a task the owner assigns to a rep, reminded in a moment
            let seeded = try await Fixtures.workspace(app)
            let (rep, _) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            let task = try await Self.task(
                app, by: seeded.owner,
                ["title": .string("Call Oksana"), "assignee_id": .string(rep.id), "due_at": Self.fromNow(300_000)])
            let queue = JobQueue(store: app.runtime.store)
            // when a runner runs until the reminder is done
            try await JobRunnerTests.running([Self.runner(app)]) {
                try await JobRunnerTests.eventually("the reminder") {
                    try await queue.counts(kind: TaskReminders.kind)[.done] == 1
                }
            }
            // then the rep has one reminder about the task, and the owner none
            let sent = try await Self.reminders(app, rep)
            #expect(sent.count == 1)
            #expect(sent.first?.recordID == task.id)
            #expect(sent.first?.recordType == "task")
            #expect(sent.first?.text.hasPrefix("Reminder: Call Oksana is due ") == true)
            #expect(sent.first?.actorID == nil)
            #expect(try await Self.reminders(app, seeded.owner).isEmpty)
            // and the job run again (its runner died before recording it done) sends nothing more
            let job = try #require(try await queue.jobs(kind: TaskReminders.kind).first)
            let micros = try #require(task.taskReminderAt)
            _ = try await TaskReminders(app.services).remind(
                workspaceID: seeded.workspace.id, taskID: task.id, at: micros, jobID: job.id)
            #expect(try await Self.reminders(app, rep).count == 1)
        }
    }

    @Test(
        "a reminder that fell due while no runner ran fires once when one starts; a moved, done or deleted task's does not",
        arguments: Backend.allCases)
    func fellDueWhileDown(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let owner = seeded.owner
            let service = RecordService(app.services, schema: .tasks)
            let actor = Actor(.user, id: owner.id)
            // given, with no runner, four tasks reminded in a moment: one left alone, one moved a day later,
            // one done and one deleted before that moment
            let due = Self.fromNow(400_000)
            let kept = try await Self.task(app, by: owner, ["title": .string("Kept"), "due_at": due])
            let moved = try await Self.task(app, by: owner, ["title": .string("Moved"), "due_at": due])
            let done = try await Self.task(app, by: owner, ["title": .string("Done"), "due_at": due])
            let deleted = try await Self.task(app, by: owner, ["title": .string("Deleted"), "due_at": due])
            _ = try await service.update(
                Viewer(owner), id: moved.id, patch: ["due_at": Self.fromNow(86_400 * Self.second)],
                expectedVersion: nil,
                actor: actor)
            _ = try await service.update(
                Viewer(owner), id: done.id, patch: ["done": .bool(true)], expectedVersion: nil, actor: actor)
            try await service.delete(Viewer(owner), id: deleted.id, expectedVersion: nil, actor: actor)
            try await Task.sleep(for: .milliseconds(700))
            #expect(try await Self.reminders(app, owner).isEmpty)
            // when a runner starts after the reminder time passed
            let queue = JobQueue(store: app.runtime.store)
            try await JobRunnerTests.running([Self.runner(app)]) {
                try await JobRunnerTests.eventually("the due reminder") {
                    try await queue.counts(kind: TaskReminders.kind)[.done] == 1
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            // then the kept task's reminder came once; the moved one waits for its new time; the others are gone
            let sent = try await Self.reminders(app, owner)
            #expect(sent.map(\.recordID) == [kept.id])
            let left = try await queue.jobs(kind: TaskReminders.kind)
            #expect(left.filter { $0.state == .queued }.count == 1)
            #expect(left.count == 2)
        }
    }

    @Test(
        "a stale reminder job never notifies: a task moved or done while its job waited sends nothing at the old time",
        arguments: Backend.allCases)
    func staleJobsStaySilent(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let owner = seeded.owner
            let reminders = TaskReminders(app.services)
            // given a task due in an hour
            let task = try await Self.task(
                app, by: owner, ["title": .string("Quote"), "due_at": Self.fromNow(3600 * Self.second)])
            let at = try #require(task.taskReminderAt)
            // when a job for another time runs (one a runner held while the task moved), it sends nothing,
            // and asks for the task's current time, still to come
            let follow = try await reminders.remind(
                workspaceID: seeded.workspace.id, taskID: task.id, at: at - 60 * Self.second, jobID: RecordID.make())
            #expect(follow.map(\.dueAt) == [at])
            #expect(try await Self.reminders(app, owner).isEmpty)
            // and once the task is done, its own time's job sends nothing either
            _ = try await RecordService(app.services, schema: .tasks).update(
                Viewer(owner), id: task.id, patch: ["done": .bool(true)], expectedVersion: nil,
                actor: Actor(.user, id: owner.id))
            _ = try await reminders.remind(
                workspaceID: seeded.workspace.id, taskID: task.id, at: at, jobID: RecordID.make())
            #expect(try await Self.reminders(app, owner).isEmpty)
            // and a job of another workspace finds no task
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            _ = try await reminders.remind(
                workspaceID: other.workspace.id, taskID: task.id, at: at, jobID: RecordID.make())
            #expect(try await Self.reminders(app, owner).isEmpty)
        }
    }

    @Test(
        "a reminder reaches the assignee only while they may see the task", arguments: Backend.allCases)
    func onlyWhileVisible(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (rep, _) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            // given a task assigned to a rep, whose role is then changed to one that does not read tasks
            let task = try await Self.task(
                app, by: seeded.owner,
                [
                    "title": .string("Secret"), "assignee_id": .string(rep.id),
                    "due_at": Self.fromNow(3600 * Self.second),
                ])
            let role = try await RoleService(app.services).create(
                Principal(user: seeded.owner, workspace: seeded.workspace),
                name: "Contacts only",
                permissions: .object(["contacts": .object(["actions": .array([.string("read")])])]))
            _ = try await AccountService(app.services).changeRole(
                of: rep.id, to: role.id, by: Principal(user: seeded.owner, workspace: seeded.workspace))
            // when its reminder runs, the rep is told nothing
            let at = try #require(task.taskReminderAt)
            _ = try await TaskReminders(app.services).remind(
                workspaceID: seeded.workspace.id, taskID: task.id, at: at, jobID: RecordID.make())
            #expect(try await Self.reminders(app, rep).isEmpty)
        }
    }
}

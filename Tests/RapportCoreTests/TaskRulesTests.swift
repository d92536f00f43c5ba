import Foundation
import RapportCore
import Testing

@Suite("Task rules and agenda")
struct TaskRulesTests {
    static func micros(_ text: String) -> Int64 { Timestamp.micros(Timestamp.parse(text)!) }

    @Test(
        "a task's due time falls on the viewer's day in their time zone",
        arguments: [
            // 23:30 UTC is still today in London, but 03:00 tomorrow in Tehran
            ("Europe/London", "2026-12-05T23:30:00Z", TaskAgenda.today),
            ("Asia/Tehran", "2026-12-05T23:30:00Z", .upcoming),
            ("UTC", "2026-12-05T23:30:00Z", .today),
            // 20:00 UTC is 23:30 in Tehran: still today there
            ("Asia/Tehran", "2026-12-05T20:00:00Z", .today),
            // before now is overdue wherever one is
            ("Asia/Tehran", "2026-12-05T11:59:00Z", .overdue),
            // midnight starting tomorrow in Los Angeles is 08:00 UTC on 6 December
            ("America/Los_Angeles", "2026-12-06T07:59:00Z", .today),
            ("America/Los_Angeles", "2026-12-06T08:00:00Z", .upcoming),
        ])
    func agenda(_ zone: String, _ due: String, _ expected: TaskAgenda) {
        // given it is noon UTC on 5 December
        let now = Self.micros("2026-12-05T12:00:00Z")
        // then the task falls in the expected group
        #expect(TaskAgenda.group(dueAt: Self.micros(due), now: now, timeZone: TimeZone(identifier: zone)!) == expected)
    }

    @Test("a task without a due time is in no day")
    func someday() {
        #expect(TaskAgenda.group(dueAt: nil, now: 0, timeZone: TimeZone(identifier: "UTC")!) == .someday)
    }

    @Test(
        "a time is RFC 3339 with its offset, kept as UTC with milliseconds",
        arguments: [
            ("2030-05-01T12:30:00+03:30", "2030-05-01T09:00:00.000Z"),
            ("2030-05-01T09:00:00.123456Z", "2030-05-01T09:00:00.123Z"),
            ("2030-05-01T09:00:00z", "2030-05-01T09:00:00.000Z"),
            ("2030-05-01T01:00:00-08:00", "2030-05-01T09:00:00.000Z"),
        ])
    func moments(_ text: String, _ stored: String) {
        #expect(RecordPatch.moment(text).map(Timestamp.rfc3339) == stored)
    }

    @Test(
        "a time without an offset, a date alone or nonsense is refused",
        arguments: [
            "2030-05-01", "2030-05-01T09:00:00", "2030-05-01 09:00", "tomorrow", "", "1960-01-01T00:00:00Z",
        ])
    func badMoments(_ text: String) {
        #expect(RecordPatch.moment(text) == nil)
    }

    @Test("a reminder after the due time is refused; moving the due time moves the reminder by as much")
    func rules() throws {
        var task = Record.empty(.tasks, workspaceID: "w", now: 0)
        task.values["title"] = .string("Call")
        task.values["due_at"] = .string("2030-05-01T09:00:00.000Z")
        task.values["remind_at"] = .string("2030-05-01T10:00:00.000Z")
        #expect(ObjectType.tasks.rules.validate(task).map(\.field) == ["remind_at"])
        task.values["remind_at"] = .string("2030-05-01T08:45:00.000Z")
        #expect(ObjectType.tasks.rules.validate(task).isEmpty)
        // when the due time moves a day later and the reminder is left alone
        var moved = task
        moved.values["due_at"] = .string("2030-05-02T09:00:00.000Z")
        ObjectType.tasks.rules.prepare(&moved, before: task, now: 5)
        #expect(moved.string("remind_at") == "2030-05-02T08:45:00.000Z")
        #expect(moved.taskReminderAt == Self.micros("2030-05-02T08:45:00Z"))
        // when it is done, it has a completion time and no reminder; opened again, neither
        var done = moved
        done.values["done"] = .bool(true)
        ObjectType.tasks.rules.prepare(&done, before: moved, now: 5_000_000)
        #expect(done.string("completed_at") == "1970-01-01T00:00:05.000Z")
        #expect(done.taskReminderAt == nil)
        var reopened = done
        reopened.values["done"] = .bool(false)
        ObjectType.tasks.rules.prepare(&reopened, before: done, now: 6_000_000)
        #expect(reopened["completed_at"] == .null)
    }
}

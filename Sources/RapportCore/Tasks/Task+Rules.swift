import Foundation

/// A task's own rules: a reminder comes at or before the due time, a moved due time takes its reminder
/// along (the same lead time), and a task done now is stamped `completed_at`.
struct TaskRules: ObjectRules {
    func validate(_ record: Record) -> [FieldIssue] {
        guard let due = TaskRules.micros(record, "due_at"), let remind = TaskRules.micros(record, "remind_at"),
            remind > due
        else { return [] }
        return [FieldIssue("remind_at", key: "remind_after_due", "A reminder must come at or before the due time.")]
    }

    func prepare(_ record: inout Record, before: Record?, now: Int64) {
        // A moved due time with the reminder left as it was: the reminder keeps its lead time.
        if let before, let oldDue = Self.micros(before, "due_at"), let newDue = Self.micros(record, "due_at"),
            oldDue != newDue, let oldRemind = Self.micros(before, "remind_at"),
            record["remind_at"] == before["remind_at"]
        {
            record.values["remind_at"] = .string(Timestamp.rfc3339(oldRemind + newDue - oldDue))
        }
        let done = record["done"] == .bool(true)
        let wasDone = before?["done"] == .bool(true)
        if done && !wasDone { record.values["completed_at"] = .string(Timestamp.rfc3339(now)) }
        if !done { record.values["completed_at"] = .null }
    }

    /// A moment field's microseconds; nil when it has none.
    static func micros(_ record: Record, _ field: String) -> Int64? {
        record.string(field).flatMap(Timestamp.parse).map(Timestamp.micros)
    }
}

extension Record {
    /// When a task's reminder is due: its `remind_at`, else its due time; nil for a task without either,
    /// or one that is done (done tasks remind nobody).
    package var taskReminderAt: Int64? {
        guard self["done"] != .bool(true) else { return nil }
        return TaskRules.micros(self, "remind_at") ?? TaskRules.micros(self, "due_at")
    }
}

import Foundation
import RapportCore
import RapportServices

/// What My tasks and the records' Tasks panels share: tasks as rows in the viewer's time zone and
/// language, and the quick-add form with what it asks for.
struct TaskRows {
    let services: Services
    let messages: [String: String]
    let dates: Dates
    let timeZone: TimeZone
    let now: Int64

    init(services: Services, user: User, messages: [String: String], now: Int64 = Timestamp.micros(Date())) {
        self.services = services
        self.messages = messages
        self.dates = Dates(viewer: user, messages: messages, now: now)
        self.timeZone = TimeZone(identifier: user.timeZone) ?? TimeZone(identifier: "UTC")!
        self.now = now
    }

    var service: RecordService { RecordService(services, schema: .tasks) }

    /// Rows for tasks, with the titles of what they are about (that the viewer may see).
    /// - Parameters:
    ///   - back: the page the done box comes back to.
    ///   - showAssignee: whether each row names whom it is assigned to (not on the viewer's own list).
    func rows(_ records: [Record], viewer: Viewer, back: String, showAssignee: Bool) async throws -> [TaskRowView] {
        let titles = try await service.referenceTitles(
            records, fields: ["contact_id", "company_id"] + (showAssignee ? ["assignee_id"] : []), viewer: viewer)
        return records.map { record in
            let title = ObjectType.tasks.title(of: record)
            let due = record.string("due_at").flatMap(Timestamp.parse).map(Timestamp.micros)
            let done = record["done"] == .bool(true)
            var about: (title: String, path: String)?
            for (field, object) in [("contact_id", "contacts"), ("company_id", "companies")] where about == nil {
                if let id = record.string(field), let name = titles[field]?[id] {
                    about = (name, WebPath.record(object, id))
                }
            }
            let toggle = done ? "task_reopen" : "task_mark_done"
            return TaskRowView(
                id: record.id, title: title, path: WebPath.record("tasks", record.id),
                due: due.map(dates.short), dueExact: due.map(dates.exact), dueDatetime: due.map(Timestamp.rfc3339),
                overdue: !done && due.map { $0 < now } == true, done: done,
                priority: record.string("priority") == TaskPriority.high ? messages["priority_high"] ?? "High" : nil,
                about: about?.title, aboutPath: about?.path,
                assignee: showAssignee ? record.string("assignee_id").flatMap { titles["assignee_id"]?[$0] } : nil,
                donePath: WebPath.taskDone(record.id),
                toggleLabel: (messages[toggle] ?? "{title}").replacingOccurrences(of: "{title}", with: title),
                back: back)
        }
    }

    /// The lead times the quick-add form offers before the due time, by value, in minutes.
    static let leads: [(value: String, minutes: Int64, label: String)] = [
        ("due", 0, "remind_at_due"), ("15m", 15, "remind_15m"), ("1h", 60, "remind_1h"), ("1d", 1440, "remind_1d"),
    ]

    /// The quick-add form, empty or as it was sent with its errors.
    func quickAdd(action: String, submitted: [String: String]?, errors: [FieldIssue]) -> TaskQuickAddView {
        let chosen = submitted?["remind"] ?? "due"
        return TaskQuickAddView(
            action: action, title: submitted?["title"] ?? "", due: submitted?["due_at"] ?? "",
            remind: Self.leads.map {
                Option(value: $0.value, label: messages[$0.label] ?? $0.value, selected: $0.value == chosen)
            },
            errors: Pages.errorMap(errors, messages), hasErrors: !errors.isEmpty)
    }

    /// A new task's fields from the quick-add form: its title, its due time (typed in the viewer's time
    /// zone) and its reminder that long before it.
    func fields(from form: [String: String]) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["title": .string(form["title"] ?? "")]
        let typed = (form["due_at"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return fields }
        let due = dates.moment(local: typed)
        fields["due_at"] = .string(due ?? typed)
        if let due, let micros = RecordPatch.moment(due),
            let lead = Self.leads.first(where: { $0.value == form["remind"] }), lead.minutes > 0
        {
            fields["remind_at"] = .string(Timestamp.rfc3339(micros - lead.minutes * 60_000_000))
        }
        return fields
    }
}

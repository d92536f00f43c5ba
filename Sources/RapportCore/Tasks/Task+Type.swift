import Foundation

extension ObjectType {
    /// Things to do: a title, a due time, an assignee, what it is about (a contact, a company or a
    /// deal) and whether it is done. The assignee is the user the task belongs to: `own` and `team`
    /// visibility key on it (`ownerField`), and the reminder at its due time (or its `remind_at`) tells them.
    package static let tasks: ObjectType = {
        var type = ObjectType(
            name: "tasks", recordType: "task",
            fields: [
                FieldSpec("title", .text(maxLength: 300)),
                FieldSpec("notes", .text(maxLength: 10_000)),
                FieldSpec("due_at", .dateTime),
                FieldSpec("remind_at", .dateTime),
                FieldSpec("assignee_id", .reference("users")),
                FieldSpec("team_id", .reference("teams")),
                FieldSpec("contact_id", .reference("contacts")),
                FieldSpec("company_id", .reference("companies")),
                FieldSpec("deal_id", .reference("deals")),
                FieldSpec("priority", .choice(TaskPriority.all), defaultValue: .string(TaskPriority.normal)),
                FieldSpec("done", .boolean, defaultValue: .bool(false)),
                FieldSpec("completed_at", .timestamp, writable: false),
            ],
            title: [["title"]],
            required: ["title"],
            requiredMessage: "A task needs a title.",
            search: SearchSpec(words: ["notes"]),
            list: ListSpec(
                columns: ["due_at", "assignee_id", "priority", "contact_id", "company_id", "done"],
                sorts: [
                    ("due_at", "sort_due"), ("-created_at", "sort_newest"), ("title", "sort_title"),
                    ("-updated_at", "sort_updated"),
                ],
                filters: ["assignee_id", "team_id", "done", "priority"]))
        type.ownerField = "assignee_id"
        type.importable = false
        type.homePanel = HomePanel(
            owner: "assignee_id",
            sort: .init(target: .standard(name: "due_at", kind: .dateTime), descending: false),
            filters: [.init(target: .standard(name: "done", kind: .boolean), op: .equals, value: .bool(false))])
        type.rules = TaskRules()
        return type
    }()
}

/// My tasks: the viewer's open tasks grouped by when they are due in their time zone (overdue, today,
/// upcoming, no due time), the ones done lately, and the quick-add form.
struct MyTasksView: PageContent {
    static let template = "tasks/mine"

    /// One group of tasks, with its heading.
    struct Group {
        let key: String
        let heading: String
        let count: String
        let rows: [TaskRowView]
        let hasRows: Bool
    }

    /// "Tasks assigned to you, by due time in your time zone (Asia/Tehran)."
    let lead: String
    /// The groups with tasks in them are shown; the others are left out.
    let groups: [Group]
    /// Whether any open task is assigned to the viewer (else "Nothing to do here.").
    let hasOpen: Bool
    let done: [TaskRowView]
    let hasDone: Bool
    let add: TaskQuickAddView
    /// The generic list of every task the viewer may see.
    let all: String
}

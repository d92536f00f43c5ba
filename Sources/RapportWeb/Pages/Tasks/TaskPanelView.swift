/// The Tasks panel of a contact's or company's page: its open tasks, due first, and a form that adds one
/// about that record.
struct TaskPanelView {
    let rows: [TaskRowView]
    let hasRows: Bool
    /// How many open tasks it has, in the viewer's digits.
    let count: String
    /// The form that adds one; nil for a viewer whose role may not create tasks.
    let add: TaskQuickAddView?
    /// Every task about the record, done ones too (the task list filtered by it).
    let all: String
}

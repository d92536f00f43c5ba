/// One task in a list of tasks (My tasks, a record's Tasks panel): its title and link, when it is due in
/// the viewer's time zone, what it is about, and the done box, a form that works without JavaScript.
struct TaskRowView {
    let id: String
    let title: String
    let path: String
    /// The due time as the viewer reads it (`5 Dec 2026, 09:30`); nil for a task without one.
    let due: String?
    /// The due time with its zone, on hover.
    let dueExact: String?
    /// The due time in RFC 3339, for `<time datetime>`.
    let dueDatetime: String?
    let overdue: Bool
    let done: Bool
    /// "High" for a high-priority task; nil otherwise (normal and low are not marked).
    let priority: String?
    /// The contact or company it is about, linked; nil for neither (or one the viewer may not see).
    let about: String?
    let aboutPath: String?
    /// Who it is assigned to, when the list is not the viewer's own.
    let assignee: String?
    /// The done box: where it posts, its accessible name, and the page to come back to.
    let donePath: String
    let toggleLabel: String
    let back: String
}

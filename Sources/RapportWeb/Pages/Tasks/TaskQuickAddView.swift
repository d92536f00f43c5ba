/// The short form that adds a task (on My tasks, and on a contact's or company's page for that record):
/// a title, a due time in the viewer's time zone and when to be reminded; what was typed and its errors
/// when it was refused.
struct TaskQuickAddView {
    /// Where it posts.
    let action: String
    let title: String
    /// The `datetime-local` value typed.
    let due: String
    let remind: [Option]
    /// Errors by field (`title`, `due_at`, `remind_at`, `form`).
    let errors: [String: String]
    let hasErrors: Bool
}

/// The form that makes or changes a role: its name; a row for each object with a box for each action
/// and the records it reads and changes; each object's fields with a rule (open, hidden, read-only).
struct RoleFormView: PageContent {
    static let template = "role_form"

    /// One action's box of one object's row.
    struct Box {
        let name: String
        let value: String
        /// The action ("Export"), which a phone shows beside the box (it has no header row).
        let action: String
        /// "Contacts: Export", for a screen reader (the column's header says the action).
        let label: String
        let checked: Bool
    }

    /// A field's rule.
    struct FieldRow {
        let name: String
        let label: String
        let options: [Option]
        /// (Not `error`: a template would find the object's when this one is nil.)
        let ruleError: String?
    }

    struct Object {
        let name: String
        let label: String
        let boxes: [Box]
        /// Whether its records have owners and teams (else every record is reached and there is no choice).
        let owned: Bool
        let visibility: [Option]
        let editVisibility: [Option]
        let objectError: String?
        let actionsError: String?
        let visibilityError: String?
        let editVisibilityError: String?
        let fields: [FieldRow]
        let fieldsError: String?
        /// Whether its list of fields starts open (one of them has an error).
        let fieldsOpen: Bool
        /// "2 hidden fields · 1 read-only field", beside the list's summary.
        let fieldsSummary: String?
    }

    let isNew: Bool
    /// The role's stored name, for the heading of an edit.
    let heading: String?
    let name: String
    let action: String
    let version: Int64?
    /// The actions' names, the matrix's columns.
    let actions: [String]
    let objects: [Object]
    let nameError: String?
    let formError: String?
    let hasErrors: Bool
    let deletePath: String?
}

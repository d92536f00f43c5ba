/// The form that creates or edits a record, every writable field and custom field with its inline error
/// (those the viewer's role hides left out, those it keeps read-only as text).
struct RecordFormView: PageContent {
    static let template = "records/form"

    /// One input: a select, a text area or an `<input type>`.
    struct Field {
        let name: String
        let label: String
        var value: String
        let error: String?
        var select = false
        var options: [Option] = []
        var textarea = false
        /// The input's type (`text`, `email`, `number`, `date`) when it is an `<input>`.
        var type: String?
        var ltr = false
        var hint: String?
        /// Suggestions as the user types (a country by its name in the viewer's language), by id.
        var suggest: String?
        /// A type-ahead picker of another record or a user.
        var picker: Picker?
        /// A field the viewer's role keeps read-only: its value as text, no input.
        var readOnly = false
        var display: String?
    }

    /// Where a picker asks for choices as the user types, and the id chosen with the title it goes by.
    struct Picker {
        let source: String
        let id: String
        let title: String
        let idName: String
        let titleName: String
    }

    /// Values suggested as the user types into a field, each with what a person reads.
    struct Suggestions {
        let id: String
        let options: [Option]
    }

    let isNew: Bool
    let fields: [Field]
    let action: String
    let version: Int64
    let cancel: String
    let formError: String?
    /// The address of the record that already has the unique key typed.
    let existing: String?
    let hasErrors: Bool
    let suggestions: [Suggestions]
}

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
        /// An input shown but not sent: a deal's amount while its lines set it.
        var disabled = false
        /// Rows of line items (a deal's, an order's).
        var lines: LineEditor?
        /// Rows of records of a list (a deal's contacts), with their roles.
        var contacts: ContactEditor?
        /// Whether the field is an ordinary input (not rows).
        var plain = true
    }

    /// A product a line may name: its id and name, and its own price (a decimal) and currency, which a
    /// line without a price takes.
    struct ProductChoice {
        let value: String
        let label: String
        var selected = false
        var productPrice: String?
        var productCurrency: String?
    }

    /// The rows of a lines field: each line's product, quantity, unit price and discount (decimals in the
    /// record's currency), its total and its errors; a blank row for JavaScript to copy.
    struct LineEditor {
        struct Row {
            var lineIndex: String
            let products: [ProductChoice]
            let quantity: String
            let unitPrice: String
            let discount: String
            let lineTotal: String?
            let lineProductError: String?
            let lineQuantityError: String?
            let linePriceError: String?
            let lineDiscountError: String?
            let lineHasError: Bool
        }

        let name: String
        let rows: [Row]
        let template: Row
        /// The index the next added row takes.
        let next: String
        /// The lines' sum as a person reads it, when every line reads as numbers.
        let sum: String?
        /// Digits after the decimal point of the record's currency, for the sums JavaScript writes.
        let digits: Int
        let currency: String
        let placeholder: String
    }

    /// The rows of a list of references: each record by its title with a picker, and its role.
    struct ContactEditor {
        struct Row {
            let contactIndex: String
            let contactName: String
            let contactText: String
            let pickedName: String
            let pickedID: String
            let pickedTitleName: String
            let pickedTitle: String
            let roles: [Option]?
            let contactError: String?
        }

        let name: String
        let source: String
        let rows: [Row]
        let template: Row
        let next: String
        let withRoles: Bool
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
    /// Whether the form has rows, whose "more rows" buttons must not be what Enter presses: a hidden save
    /// button comes first.
    var hasRows = false
}

/// A field's value as a list row or a record page shows it: text for a person, a link when it points
/// to another record (or is an address to write to or a number to call), and whether it is written
/// left to right whatever the page's direction.
struct RecordCell {
    /// One value of the field (a list has several): its text and where it links to.
    struct Part {
        let text: String
        var href: String?
        /// Whether a separator comes before it.
        var comma = false
        /// Whether it is written left to right whatever the page's direction (a number, an address).
        var ltr = false
    }

    /// How the field is edited in place on a record page: its name, the value as the form shows it, the
    /// input's type, and for a choice its options as `value|label` lines.
    struct Inline {
        let field: String
        let value: String
        let type: String
        var options: String?
    }

    let value: String
    var link: String?
    var inline: Inline?
    var ltr = false
    /// More on hover: the exact time of a date shown short.
    var exactTime: String?
    /// The field's name as the user reads it (a record page's label, a phone's card).
    var label: String?
    /// Whether there is nothing to show (a template's section shows for an empty string too).
    let empty: Bool
    /// The value in parts, each with its own link; one part for most fields.
    let parts: [Part]

    init(
        value: String, link: String? = nil, ltr: Bool = false, label: String? = nil, parts: [Part]? = nil,
        exactTime: String? = nil
    ) {
        self.value = value
        self.exactTime = exactTime
        self.link = link
        self.ltr = ltr
        self.label = label
        self.empty = value.isEmpty
        self.parts = parts ?? (value.isEmpty ? [] : [Part(text: value, href: link, ltr: ltr)])
    }
}

/// A field's value as a list row or a record page shows it: text for a person, a link when it points
/// to another record, and whether it is written left to right whatever the page's direction.
struct RecordCell {
    let value: String
    var link: String?
    var ltr = false
    /// The field's name as the user reads it (a record page's label, a phone's card).
    var label: String?
    /// Whether there is nothing to show (a template's section shows for an empty string too).
    let empty: Bool

    init(value: String, link: String? = nil, ltr: Bool = false, label: String? = nil) {
        self.value = value
        self.link = link
        self.ltr = ltr
        self.label = label
        self.empty = value.isEmpty
    }
}

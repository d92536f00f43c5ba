/// A field's value as a list row or a record page shows it: text for a person, a link when it points
/// to another record, and whether it is written left to right whatever the page's direction.
struct RecordCell {
    let value: String
    var link: String?
    var ltr = false
    /// The field's name as the user reads it (on a record page).
    var label: String?
}

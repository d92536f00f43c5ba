/// One choice of a `<select>`, or of a set of radio buttons.
struct Option: Sendable {
    let value: String
    let label: String
    var selected = false
}

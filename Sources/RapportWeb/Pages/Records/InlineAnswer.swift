/// The answer to a field edited in place: the saved value as the page shows it and as the input holds
/// it, with the record's new version; or why it was not saved.
struct InlineAnswer: Encodable, Sendable {
    let text: String?
    let value: String?
    let version: Int64?
    let error: String?
}

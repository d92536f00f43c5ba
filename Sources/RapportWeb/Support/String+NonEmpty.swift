extension String {
    /// The text, or nil when it is empty: a template's `{{#section}}` shows for any string, even "".
    var nonEmpty: String? { isEmpty ? nil : self }
}

extension Optional<String> {
    /// The text, or nil when it is missing or empty.
    var nonEmpty: String? { self?.nonEmpty }
}

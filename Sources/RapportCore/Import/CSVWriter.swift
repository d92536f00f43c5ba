/// CSV as spreadsheets read it: comma-separated, CRLF line ends, fields quoted when they need it.
package enum CSVWriter {
    /// One line, ending in CRLF.
    package static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    /// A field, quoted when it holds a comma, a quote, a line break or outer spaces, and with a `'`
    /// before a leading `=`, `+`, `-` or `@` (unless it is a phone number) so that a spreadsheet does not
    /// run it as a formula. The importer removes that `'` again.
    package static func escape(_ field: String) -> String {
        var text = field
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !looksLikePhone(text) {
            text = "'" + text
        }
        let needsQuotes =
            text.utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 || $0 == 59 }
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        guard needsQuotes else { return text }
        return "\"" + String(decoding: text.utf8.flatMap { $0 == 34 ? [34, 34] : [$0] }, as: UTF8.self) + "\""
    }

    /// Undoes the formula guard of `escape`.
    package static func unguard(_ field: String) -> String {
        guard field.hasPrefix("'"), let second = field.unicodeScalars.dropFirst().first,
            "=+-@\t\r".unicodeScalars.contains(second)
        else { return field }
        return String(field.dropFirst())
    }

    static func looksLikePhone(_ text: String) -> Bool {
        text.allSatisfy { $0.isASCII && ($0.isNumber || " +-().".contains($0)) } && text.contains(where: \.isNumber)
    }
}

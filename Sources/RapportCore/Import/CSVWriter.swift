/// CSV as spreadsheets read it: comma-separated, CRLF line ends, fields quoted when they need it.
package enum CSVWriter {
    /// One line, ending in CRLF.
    package static func line(_ fields: [String]) -> String {
        var line = ""
        append(fields, to: &line)
        return line
    }

    /// Appends one line, ending in CRLF.
    package static func append(_ fields: [String], to out: inout String) {
        var bytes: [UInt8] = []
        append(fields, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one line, ending in CRLF, as UTF-8 bytes (the exporter's fast path).
    package static func append(_ fields: [String], to out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(44) }
            appendField(field, to: &out)
        }
        out.append(13)
        out.append(10)
    }

    /// Appends a field as `escape` gives it, without building the escaped copy first.
    static func appendField(_ field: String, to out: inout [UInt8]) {
        guard let first = field.utf8.first else { return }
        if formulaStarts.contains(first) && !looksLikePhone(field) {
            out.append(contentsOf: escape(field).utf8)
            return
        }
        guard needsQuotes(field) else {
            out.append(contentsOf: field.utf8)
            return
        }
        out.append(34)
        for byte in field.utf8 {
            out.append(byte)
            if byte == 34 { out.append(34) }
        }
        out.append(34)
    }

    /// A field, quoted when it holds a comma, a quote, a line break or outer spaces, and with a `'`
    /// before a leading `=`, `+`, `-` or `@` (unless it is a phone number) so that a spreadsheet does not
    /// run it as a formula. The importer removes that `'` again.
    package static func escape(_ field: String) -> String {
        var text = field
        if let first = text.utf8.first, formulaStarts.contains(first), !looksLikePhone(text) {
            text = "'" + text
        }
        guard needsQuotes(text) else { return text }
        return "\"" + String(decoding: text.utf8.flatMap { $0 == 34 ? [34, 34] : [$0] }, as: UTF8.self) + "\""
    }

    /// `=`, `+`, `-`, `@`, tab and carriage return: what a spreadsheet may run as a formula.
    static let formulaStarts: Set<UInt8> = [61, 43, 45, 64, 9, 13]

    /// Whether a field holds a comma, a quote, a line break or a `;`, or starts or ends with white space.
    static func needsQuotes(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last else { return false }
        if bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 || $0 == 59 }) { return true }
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 11 || byte == 12 }
        if isSpace(first) || isSpace(last) { return true }
        // Unicode white space (no-break space, ideographic space…) needs a look at whole scalars.
        if first >= 0x80 || last >= 0x80 {
            return text.unicodeScalars.first?.properties.isWhitespace == true
                || text.unicodeScalars.last?.properties.isWhitespace == true
        }
        return false
    }

    /// Undoes the formula guard of `escape`.
    package static func unguard(_ field: String) -> String {
        guard field.hasPrefix("'"), let second = field.unicodeScalars.dropFirst().first,
            "=+-@\t\r".unicodeScalars.contains(second)
        else { return field }
        return String(field.dropFirst())
    }

    static func looksLikePhone(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || phonePunctuation.contains($0) }
            && text.utf8.contains { $0 >= 48 && $0 <= 57 }
    }

    static let phonePunctuation = Set(" +-().".utf8)
}

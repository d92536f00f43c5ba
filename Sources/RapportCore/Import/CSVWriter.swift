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
    package static func appendField(_ field: String, to out: inout [UInt8]) {
        var field = field
        field.withUTF8 { appendField($0, to: &out) }
    }

    /// Appends a field of UTF-8 bytes as `escape` gives it.
    package static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let first = bytes.first, let last = bytes.last else { return }
        let guarded = needsGuard(bytes)
        // (with the guard the field starts with `'`, which is neither space nor special)
        var quoted = isSpace(last) || (!guarded && isSpace(first))
        if !quoted {
            for byte in bytes where byte == 44 || byte == 34 || byte == 10 || byte == 13 || byte == 59 {
                quoted = true
                break
            }
        }
        if !quoted, last >= 0x80 || (!guarded && first >= 0x80) {
            let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
            quoted =
                scalars.last?.properties.isWhitespace == true
                || (!guarded && scalars.first?.properties.isWhitespace == true)
        }
        if quoted { out.append(34) }
        if guarded { out.append(39) }
        if quoted {
            for byte in bytes {
                out.append(byte)
                if byte == 34 { out.append(34) }
            }
            out.append(34)
        } else {
            out.append(contentsOf: bytes)
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 11 || byte == 12 }

    /// A field, quoted when it holds a comma, a quote, a line break or outer spaces, and with a `'`
    /// before a leading `=`, `+`, `-` or `@` (unless it is a phone number) so that a spreadsheet does not
    /// run it as a formula. The importer removes that `'` again; a field that itself starts with `'`
    /// gets one more, so it comes back whole.
    package static func escape(_ field: String) -> String {
        var text = field
        if needsGuard(text.utf8) {
            text = "'" + text
        }
        guard needsQuotes(text) else { return text }
        return "\"" + String(decoding: text.utf8.flatMap { $0 == 34 ? [34, 34] : [$0] }, as: UTF8.self) + "\""
    }

    /// Whether a field gets a `'` before it: it may run as a formula, or it starts with a `'` itself
    /// (so that `unguard` tells the two apart).
    static func needsGuard(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        return first == 39 || (formulaStarts.contains(first) && !looksLikePhone(bytes))
    }

    /// `=`, `+`, `-`, `@`, tab and carriage return: what a spreadsheet may run as a formula.
    static let formulaStarts: [UInt8] = [61, 43, 45, 64, 9, 13]

    /// Whether a field holds a comma, a quote, a line break or a `;`, or starts or ends with white space.
    static func needsQuotes(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last else { return false }
        if bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 || $0 == 59 }) { return true }
        if isSpace(first) || isSpace(last) { return true }
        // Unicode white space (no-break space, ideographic space…) needs a look at whole scalars.
        if first >= 0x80 || last >= 0x80 {
            return text.unicodeScalars.first?.properties.isWhitespace == true
                || text.unicodeScalars.last?.properties.isWhitespace == true
        }
        return false
    }

    /// Undoes the guard of `escape`: a `'` before a formula's first character or before another `'`.
    package static func unguard(_ field: String) -> String {
        guard field.hasPrefix("'"), let second = field.utf8.dropFirst().first,
            second == 39 || formulaStarts.contains(second)
        else { return field }
        return String(field.dropFirst())
    }

    static func looksLikePhone(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || phonePunctuation.contains($0) }
            && bytes.contains { $0 >= 48 && $0 <= 57 }
    }

    static let phonePunctuation = Array(" +-().".utf8)
}

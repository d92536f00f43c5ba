import Foundation

/// The encodings a message is written in: RFC 2047 encoded words, quoted-printable and base64 bodies, and
/// header folding. Everything it produces is 7-bit ASCII with lines of at most 78 octets (a header word longer
/// than that, such as a long URL, gets a line of its own, still far under RFC 5322's 998).
enum MIMEEncoding {
    /// The line length a header is folded to and a body encoded to (RFC 5322 §2.1.1's "SHOULD").
    static let lineLimit = 78
    /// UTF-8 bytes per encoded word: 42 bytes are 56 base64 characters, a 68-character word that fits on the
    /// first line after a header name as long as `Reply-To: `, and under RFC 2047's 75.
    static let encodedWordBytes = 42

    static func isASCII(_ text: some StringProtocol) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Header text with every run of control characters (CR and LF above all) turned into one space, so no value
    /// a caller supplies can end its header and start another.
    static func sanitize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isControl =
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}"
            if isControl && scalar != "\t" {
                pendingSpace = true
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
        }
        if pendingSpace { out.append(" ") }
        return String(out)
    }

    /// The text as RFC 2047 B-encoded words (`=?UTF-8?B?…?=`), split between characters so that no word holds a
    /// partial character and none is longer than 68 characters. Whitespace between adjacent encoded words is
    /// ignored by decoders, so the words may be folded freely.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk.removeAll(keepingCapacity: true)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count > encodedWordBytes {
                // a grapheme cluster longer than a word (a long emoji sequence): split it between scalars instead
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > encodedWordBytes { flush() }
                    chunk += scalarBytes
                }
                continue
            }
            if chunk.count + bytes.count > encodedWordBytes { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// Whether text must be written as encoded words: it is not ASCII, or it holds something a decoder would take
    /// for an encoded word.
    static func needsEncodedWords(_ text: String) -> Bool {
        !isASCII(text) || text.contains("=?")
    }

    /// Unstructured header text (a Subject, an X- header) as words to fold.
    static func unstructuredWords(_ text: String) -> [String] {
        let clean = sanitize(text)
        if needsEncodedWords(clean) { return encodedWords(clean) }
        let words = clean.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // a word that cannot fit a line is safer encoded (encoded words can be split anywhere)
        if words.contains(where: { $0.utf8.count > 900 }) { return encodedWords(clean) }
        return words
    }

    /// A display name as words to fold: atoms as they are, other ASCII as one quoted string, anything else as
    /// encoded words (never inside quotes, where decoders would not decode them).
    static func phraseWords(_ name: String) -> [String] {
        let clean = sanitize(name).trimmingCharacters(in: .whitespaces)
        if needsEncodedWords(clean) { return encodedWords(clean) }
        let atext = Set("!#$%&'*+-/=?^_`{|}~".utf8)
        let isAtoms = clean.utf8.allSatisfy { byte in
            byte == 0x20 || atext.contains(byte) || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte)
                || (0x61...0x7A).contains(byte)
        }
        if isAtoms { return clean.split(separator: " ").map(String.init) }
        let quoted =
            "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
        if quoted.utf8.count > 900 { return encodedWords(clean) }
        return [quoted]
    }

    /// `Name: word word` folded before a word wherever the line would pass 78 octets, ending in CRLF.
    /// Empty words (from runs of spaces) are kept as spaces and never start a line; the first word stays on the
    /// name's line.
    static func fold(name: String, words: [String]) -> String {
        var out = name + ":"
        var lineLength = out.utf8.count
        for (index, word) in words.enumerated() {
            let length = word.utf8.count
            if index > 0, !word.isEmpty, lineLength + 1 + length > lineLimit {
                out += "\r\n "
                lineLength = 1
                out += word
                lineLength += length
            } else {
                out += " " + word
                lineLength += 1 + length
            }
        }
        return out + "\r\n"
    }

    /// Text with every line ending (CRLF, lone LF or lone CR) made CRLF.
    static func crlf(_ text: String) -> String {
        String(decoding: crlfBytes(text), as: UTF8.self)
    }

    /// `crlf` as UTF-8 bytes. (CR and LF never occur inside a multi-byte UTF-8 sequence, so the bytes can be
    /// walked one by one.)
    static func crlfBytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        var previousCR = false
        for byte in text.utf8 {
            switch byte {
            case 0x0D:
                out.append(0x0D)
                out.append(0x0A)
                previousCR = true
            case 0x0A:
                if !previousCR {
                    out.append(0x0D)
                    out.append(0x0A)
                }
                previousCR = false
            default:
                out.append(byte)
                previousCR = false
            }
        }
        return out
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose lines end in CRLF: hard line breaks stay CRLF, and
    /// soft breaks keep every encoded line at 76 characters or fewer.
    static func quotedPrintable(_ text: String) -> String {
        String(decoding: quotedPrintable(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// `quotedPrintable` of UTF-8 bytes, as bytes.
    static func quotedPrintable(bytes: [UInt8]) -> [UInt8] {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 11 / 10 + 16)
        let count = bytes.count
        var start = 0
        while true {
            // this line runs to the next CRLF (or the end)
            var end = start
            while end < count && !(bytes[end] == 0x0D && end + 1 < count && bytes[end + 1] == 0x0A) { end += 1 }
            var lineLength = 0
            var position = start
            while position < end {
                let byte = bytes[position]
                let isLast = position == end - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                let width = literal ? 1 : 3
                // room for the soft break's "=" when more follows on this line
                let limit = isLast ? 76 : 75
                if lineLength + width > limit {
                    out.append(UInt8(ascii: "="))
                    out.append(0x0D)
                    out.append(0x0A)
                    lineLength = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
                lineLength += width
                position += 1
            }
            guard end < count else { break }
            out.append(0x0D)
            out.append(0x0A)
            start = end + 2
        }
        return out
    }

    /// Base64 in lines of 76 characters, each ending in CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
            + "\r\n"
    }

    /// A random token of `byteCount` bytes in lowercase hex (Message-IDs and MIME boundaries).
    static func randomHex(_ byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The date as RFC 5322 writes it, in UTC: `Tue, 03 Mar 2026 14:03:09 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}

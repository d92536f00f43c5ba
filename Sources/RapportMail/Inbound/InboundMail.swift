import Foundation

/// A received message (RFC 5322), read as far as Rapport acts on mail that comes back: its headers (unfolded,
/// encoded words decoded), its MIME parts, and for a delivery status notification (RFC 3464) what it reports.
/// The reader is lenient about line endings (CRLF or LF) and strict about size: at most `maximumParts` parts,
/// `maximumDepth` levels of nesting and `maximumBytes` in all.
package struct InboundMail: Sendable {
    package struct Header: Sendable, Equatable {
        package var name: String
        package var value: String
    }

    package var headers: [Header]
    /// The parts of a multipart message, in order; empty for any other.
    package var parts: [InboundMail]
    /// The body with its transfer encoding (base64, quoted-printable) undone; for a multipart, its preamble.
    package var body: [UInt8]

    package static let maximumBytes = 10 << 20
    static let maximumParts = 100
    static let maximumDepth = 4

    /// Why a message could not be read.
    package enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case tooLarge
        case noHeaders
        case tooManyParts

        package var description: String {
            switch self {
            case .empty: "the message is empty"
            case .tooLarge: "the message is larger than \(InboundMail.maximumBytes >> 20) MB"
            case .noHeaders: "the message does not start with headers (Name: value lines)"
            case .tooManyParts: "the message has more than \(InboundMail.maximumParts) parts or nests them too deep"
            }
        }
    }

    package init(parsing bytes: [UInt8]) throws(ReadError) {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= Self.maximumBytes else { throw .tooLarge }
        var budget = Self.maximumParts
        self = try Self.read(bytes[...], depth: 0, budget: &budget)
        guard !headers.isEmpty else { throw .noHeaders }
    }

    init(headers: [Header], parts: [InboundMail], body: [UInt8]) {
        self.headers = headers
        self.parts = parts
        self.body = body
    }

    // MARK: Reading it

    /// The first header of `name` (any case), unfolded, its encoded words decoded.
    package func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    package var subject: String? { header("Subject") }

    /// The media type (lower case) and its parameters (names lower case, values unquoted); text/plain when there
    /// is no Content-Type.
    package var contentType: (type: String, parameters: [String: String]) {
        Self.mediaType(header("Content-Type") ?? "text/plain")
    }

    /// Each part, and each part of those, depth first (the message itself first).
    package var allParts: [InboundMail] {
        [self] + parts.flatMap(\.allParts)
    }

    /// What a delivery status notification reports; nil for any other message. Read from the
    /// `message/delivery-status` part of a `multipart/report` (wherever it is nested), with the headers of the
    /// returned message from its `message/rfc822` or `text/rfc822-headers` part.
    package var deliveryReport: DeliveryReport? {
        guard let status = allParts.first(where: { $0.contentType.type == "message/delivery-status" }) else {
            return nil
        }
        let groups = Self.fieldGroups(status.body)
        let recipients = groups.dropFirst().compactMap { fields -> DeliveryReport.Recipient? in
            func field(_ name: String) -> String? {
                fields.first { $0.name.lowercased() == name }?.value.trimmingCharacters(in: .whitespaces)
            }
            guard let action = field("action"), let status = field("status") else { return nil }
            return DeliveryReport.Recipient(
                finalRecipient: (field("final-recipient") ?? field("original-recipient")).map(Self.addressOfField),
                action: action.lowercased(), status: status, diagnostic: field("diagnostic-code"))
        }
        var original: [Header] = []
        if let returned = allParts.first(where: {
            ["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"].contains(
                $0.contentType.type)
        }) {
            original = Self.headerBlock(returned.body[...]).headers
        }
        return DeliveryReport(recipients: recipients, originalHeaders: original)
    }

    // MARK: The reader

    static func read(_ bytes: ArraySlice<UInt8>, depth: Int, budget: inout Int) throws(ReadError) -> InboundMail {
        budget -= 1
        guard budget >= 0, depth <= maximumDepth else { throw .tooManyParts }
        let (headers, bodyStart) = headerBlock(bytes)
        let body = bytes[bodyStart...]
        var mail = InboundMail(headers: headers, parts: [], body: [])
        let type = mail.contentType
        if type.type.hasPrefix("multipart/"), let boundary = type.parameters["boundary"], !boundary.isEmpty {
            let (preamble, sections) = split(body, boundary: boundary)
            mail.body = Array(preamble)
            for section in sections {
                mail.parts.append(try read(section, depth: depth + 1, budget: &budget))
            }
        } else {
            let encoding = mail.header("Content-Transfer-Encoding")?.trimmingCharacters(in: .whitespaces).lowercased()
            mail.body = decode(body, transferEncoding: encoding)
        }
        return mail
    }

    /// The header fields at the start of `bytes` and where the body starts (after the blank line; the end when
    /// there is none).
    static func headerBlock(_ bytes: ArraySlice<UInt8>) -> (headers: [Header], bodyStart: Int) {
        var lines: [ArraySlice<UInt8>] = []
        var index = bytes.startIndex
        var bodyStart = bytes.endIndex
        while index < bytes.endIndex {
            let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var line = bytes[index..<end]
            if line.last == 0x0D { line = line.dropLast() }
            let next = end < bytes.endIndex ? end + 1 : end
            if line.isEmpty {
                bodyStart = next
                break
            }
            lines.append(line)
            index = next
        }
        var headers: [Header] = []
        for line in lines {
            if let first = line.first, first == 0x20 || first == 0x09 {
                // a folded line continues the header before it
                if !headers.isEmpty { headers[headers.count - 1].value += String(decoding: line, as: UTF8.self) }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { continue }
            headers.append(Header(name: name, value: String(decoding: line[(colon + 1)...], as: UTF8.self)))
        }
        for index in headers.indices {
            headers[index].value = decodeWords(headers[index].value.trimmingCharacters(in: .whitespaces))
        }
        return (headers, bodyStart)
    }

    /// A multipart body's preamble and its sections between `--boundary` lines, up to `--boundary--`.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> (ArraySlice<UInt8>, [ArraySlice<UInt8>]) {
        let delimiter = Array(("--" + boundary).utf8)
        var sections: [ArraySlice<UInt8>] = []
        var preamble = body
        var sectionStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let end = body[index...].firstIndex(of: 0x0A) ?? body.endIndex
            var line = body[index..<end]
            if line.last == 0x0D { line = line.dropLast() }
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let closing = rest.starts(with: Array("--".utf8))
                if closing || rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    // (the line break before a delimiter belongs to the delimiter)
                    var sectionEnd = index
                    if let start = sectionStart {
                        if sectionEnd > start, body[sectionEnd - 1] == 0x0A { sectionEnd -= 1 }
                        if sectionEnd > start, body[sectionEnd - 1] == 0x0D { sectionEnd -= 1 }
                        sections.append(body[start..<max(start, sectionEnd)])
                    } else {
                        preamble = body[body.startIndex..<index]
                    }
                    if closing { return (preamble, sections) }
                    sectionStart = end < body.endIndex ? end + 1 : end
                }
            }
            index = end < body.endIndex ? end + 1 : end
        }
        if let start = sectionStart { sections.append(body[start...]) }
        return (preamble, sections)
    }

    /// Groups of `Name: value` fields separated by blank lines (a delivery-status body).
    static func fieldGroups(_ bytes: [UInt8]) -> [[Header]] {
        var groups: [[Header]] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            // (blank lines between groups)
            while let first = rest.first, first == 0x0A || first == 0x0D { rest = rest.dropFirst() }
            guard !rest.isEmpty else { break }
            let (fields, next) = headerBlock(rest)
            if !fields.isEmpty { groups.append(fields) }
            guard next > rest.startIndex else { break }
            rest = rest[next...]
        }
        return groups
    }

    static func mediaType(_ value: String) -> (type: String, parameters: [String: String]) {
        var pieces = value.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
        let type = (pieces.next().map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        while let piece = pieces.next() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            parameters[name] = value
        }
        return (type.isEmpty ? "text/plain" : type, parameters)
    }

    /// `rfc822; ann@a.test` → `ann@a.test` (lower case, without angle brackets).
    static func addressOfField(_ value: String) -> String {
        let address = value.split(separator: ";", maxSplits: 1).last.map(String.init) ?? value
        return address.trimmingCharacters(in: CharacterSet(charactersIn: " \t<>")).lowercased()
    }

    // MARK: Encodings

    static func decode(_ body: ArraySlice<UInt8>, transferEncoding: String?) -> [UInt8] {
        switch transferEncoding {
        case "base64":
            let clean = body.filter { !(0...0x20).contains($0) }
            return Data(base64Encoded: Data(clean), options: .ignoreUnknownCharacters).map(Array.init) ?? Array(body)
        case "quoted-printable": return quotedPrintable(body)
        default: return Array(body)
        }
    }

    static func quotedPrintable(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            guard byte == UInt8(ascii: "=") else {
                out.append(byte)
                index += 1
                continue
            }
            // a soft line break
            if index + 1 < body.endIndex, body[index + 1] == 0x0A {
                index += 2
                continue
            }
            if index + 2 < body.endIndex, body[index + 1] == 0x0D, body[index + 2] == 0x0A {
                index += 3
                continue
            }
            if index + 2 < body.endIndex, let high = hexValue(body[index + 1]), let low = hexValue(body[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A header value with its RFC 2047 encoded words (`=?charset?B|Q?…?=`) decoded; white space between two
    /// encoded words is dropped, as the RFC says. Charsets other than UTF-8, US-ASCII and ISO-8859-1 are read as
    /// UTF-8, replacing what does not decode.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var afterWord = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (text, length) = encodedWord(rest) {
                if !afterWord { out += pendingSpace }
                pendingSpace = ""
                out += text
                rest = rest.dropFirst(length)
                afterWord = true
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingSpace.append(character)
                continue
            }
            out += pendingSpace
            pendingSpace = ""
            out.append(character)
            afterWord = false
        }
        return out + pendingSpace
    }

    /// The text of the encoded word at the start of `text`, and how many characters it takes.
    static func encodedWord(_ text: Substring) -> (String, Int)? {
        let pieces = text.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard pieces.count == 4, pieces[3].hasPrefix("="), !pieces[2].contains(" ") else { return nil }
        let charset = pieces[0].lowercased().split(separator: "*").first.map(String.init) ?? ""
        let encoding = pieces[1].lowercased()
        let payload = pieces[2]
        let bytes: [UInt8]
        switch encoding {
        case "b":
            var base64 = String(payload)
            while base64.utf8.count % 4 != 0 { base64 += "=" }
            guard let data = Data(base64Encoded: base64) else { return nil }
            bytes = Array(data)
        case "q":
            bytes = quotedPrintable(Array(payload.utf8.map { $0 == UInt8(ascii: "_") ? 0x20 : $0 })[...])
        default: return nil
        }
        let decoded: String
        switch charset {
        case "iso-8859-1", "latin1": decoded = String(bytes.map { Character(Unicode.Scalar($0)) })
        default: decoded = String(decoding: bytes, as: UTF8.self)
        }
        // "=?" + charset "?" encoding "?" payload "?="
        let length = 2 + pieces[0].count + 1 + pieces[1].count + 1 + payload.count + 2
        return (decoded, length)
    }
}

/// What a delivery status notification (RFC 3464) says.
package struct DeliveryReport: Sendable, Equatable {
    package struct Recipient: Sendable, Equatable {
        /// The address the report is about (lower case).
        package var finalRecipient: String?
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded` (lower case).
        package var action: String
        /// The enhanced status code (RFC 3463), `5.1.1`.
        package var status: String
        /// What the remote server said, when the report gives it.
        package var diagnostic: String?

        /// A permanent failure: `failed` with a 5.x.x status.
        package var isPermanentFailure: Bool { action == "failed" && status.hasPrefix("5") }
    }

    package var recipients: [Recipient]
    /// The headers of the message that could not be delivered, as the report returns them.
    package var originalHeaders: [InboundMail.Header]

    package func originalHeader(_ name: String) -> String? {
        let lower = name.lowercased()
        return originalHeaders.first { $0.name.lowercased() == lower }?.value
    }
}

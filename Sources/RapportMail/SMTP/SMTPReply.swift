/// A server's reply: a three-digit code and one or more lines of text (RFC 5321 §4.2).
package struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    package var code: Int
    /// The text of each line, without the code and separator.
    package var lines: [String]

    package init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The lines joined with newlines.
    package var text: String { lines.joined(separator: "\n") }
    /// 2xx or 3xx.
    package var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: try again later.
    package var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: do not try again as it is.
    package var isPermanent: Bool { (500..<600).contains(code) }

    package var description: String { "\(code) \(lines.joined(separator: " / "))" }
}

/// What EHLO said the server supports.
package struct SMTPExtensions: Sendable, Hashable {
    /// Keywords in upper case with their parameters, e.g. `"AUTH": ["PLAIN", "LOGIN"]`, `"SIZE": ["10240000"]`.
    package var keywords: [String: [String]] = [:]

    package init() {}

    /// Reads the lines after the first of an EHLO reply.
    package init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let parts = line.split(separator: " ").map(String.init)
            guard let keyword = parts.first?.uppercased() else { continue }
            // some old servers write "AUTH=LOGIN PLAIN"
            if keyword.hasPrefix("AUTH=") {
                keywords["AUTH", default: []] +=
                    [String(keyword.dropFirst(5))] + parts.dropFirst().map { $0.uppercased() }
                continue
            }
            keywords[keyword, default: []] +=
                keyword == "AUTH" ? parts.dropFirst().map { $0.uppercased() } : Array(parts.dropFirst())
        }
    }

    package var startTLS: Bool { keywords["STARTTLS"] != nil }
    package var pipelining: Bool { keywords["PIPELINING"] != nil }
    package var eightBitMIME: Bool { keywords["8BITMIME"] != nil }
    /// The AUTH mechanisms offered, upper case.
    package var authMechanisms: Set<String> { Set(keywords["AUTH"] ?? []) }
    /// The largest message the server takes, when it says (SIZE with a non-zero number).
    package var maximumSize: Int? { keywords["SIZE"]?.first.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }
    /// SIZE was offered, with or without a limit.
    package var size: Bool { keywords["SIZE"] != nil }
}

package import Foundation

extension MailMessage {
    /// Headers the renderer writes; an extra header may not set them.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "sender", "return-path",
    ]

    /// The message as the bytes of DATA: RFC 5322 headers (non-ASCII words as RFC 2047 encoded words, folded at 78
    /// octets), MIME 1.0 with UTF-8 parts in quoted-printable or base64, CRLF line endings throughout.
    ///
    /// No header value supplied by a caller can add a header: line breaks in names, subjects and extra header
    /// values become spaces, and addresses with them are refused.
    /// - Throws: ``MailError`` for an invalid address, header name or unsubscribe URI.
    package func render(now: Date = Date()) throws(MailError) -> RenderedMail {
        try from.validate()
        for address in to + cc + replyTo { try address.validate() }
        let messageID: String
        if let given = self.messageID {
            messageID = try Self.checkedMessageID(given)
        } else {
            messageID = "\(MIMEEncoding.randomHex(16))@\(from.domain)"
        }

        var head = ""
        head += MIMEEncoding.fold(name: "Date", words: [MIMEEncoding.rfc5322Date(date ?? now)])
        head += Self.addressHeader("From", [from])
        if !to.isEmpty { head += Self.addressHeader("To", to) }
        if !cc.isEmpty { head += Self.addressHeader("Cc", cc) }
        if !replyTo.isEmpty { head += Self.addressHeader("Reply-To", replyTo) }
        head += MIMEEncoding.fold(name: "Subject", words: MIMEEncoding.unstructuredWords(subject))
        head += MIMEEncoding.fold(name: "Message-ID", words: ["<\(messageID)>"])
        head += "MIME-Version: 1.0\r\n"
        if let listUnsubscribe { head += try listUnsubscribe.headers() }
        for header in headers {
            let name = header.name
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw .invalidHeaderName(name)
            }
            guard !Self.reservedHeaders.contains(name.lowercased()) else { throw .reservedHeader(name) }
            head += MIMEEncoding.fold(name: name, words: MIMEEncoding.unstructuredWords(header.value))
        }

        var out = head
        switch (text, html) {
        case (let text?, let html?):
            let boundary = "=_rapport_" + MIMEEncoding.randomHex(12)
            out += "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n\r\n"
            out += "This is a multi-part message in MIME format.\r\n"
            out += "--\(boundary)\r\n" + Self.part(text, type: "text/plain")
            out += "--\(boundary)\r\n" + Self.part(html, type: "text/html")
            out += "--\(boundary)--\r\n"
        case (let text?, nil):
            out += Self.part(text, type: "text/plain")
        case (nil, let html?):
            out += Self.part(html, type: "text/html")
        case (nil, nil):
            out += Self.part("", type: "text/plain")
        }
        return RenderedMail(messageID: messageID, bytes: Array(out.utf8))
    }

    static func addressHeader(_ name: String, _ addresses: [MailAddress]) -> String {
        var words: [String] = []
        for (index, address) in addresses.enumerated() {
            let comma = index < addresses.count - 1 ? "," : ""
            if let name = address.name, !MIMEEncoding.sanitize(name).trimmingCharacters(in: .whitespaces).isEmpty {
                words += MIMEEncoding.phraseWords(name)
                words.append("<\(address.address)>" + comma)
            } else {
                words.append(address.address + comma)
            }
        }
        return MIMEEncoding.fold(name: name, words: words)
    }

    /// A text part's headers and body: quoted-printable when the text is mostly ASCII (readable, and smaller),
    /// base64 when more than about a sixth of its bytes are not (Persian or Ukrainian text, where
    /// quoted-printable would triple the size).
    static func part(_ body: String, type: String) -> String {
        let bytes = MIMEEncoding.crlfBytes(body)
        let nonASCII = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        var out = "Content-Type: \(type); charset=utf-8\r\n"
        if nonASCII * 6 > bytes.count {
            out += "Content-Transfer-Encoding: base64\r\n\r\n"
            out += MIMEEncoding.base64Lines(bytes)
        } else {
            out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            out += String(decoding: MIMEEncoding.quotedPrintable(bytes: bytes), as: UTF8.self)
            out += "\r\n"
        }
        return out
    }

    static func checkedMessageID(_ id: String) throws(MailError) -> String {
        let bare = id.hasPrefix("<") && id.hasSuffix(">") ? String(id.dropFirst().dropLast()) : id
        // the same rule as an address: one @, printable ASCII, nothing that ends the header
        do {
            try MailAddress.validate(bare)
        } catch {
            throw .invalidMessageID(id)
        }
        return bare
    }
}

extension ListUnsubscribe {
    /// `List-Unsubscribe: <mailto:…>, <https://…>` and, for one-click, `List-Unsubscribe-Post`.
    func headers() throws(MailError) -> String {
        var words: [String] = []
        if let mailto {
            let uri = mailto.lowercased().hasPrefix("mailto:") ? mailto : "mailto:" + mailto
            try Self.check(uri)
            words.append("<\(uri)>")
        }
        if let url {
            try Self.check(url)
            guard url.lowercased().hasPrefix("https://") || url.lowercased().hasPrefix("http://") else {
                throw .invalidUnsubscribe("not an http(s) URL: \(url.debugDescription)")
            }
            words.append("<\(url)>")
        }
        guard !words.isEmpty else { throw .invalidUnsubscribe("neither a mailto address nor a URL") }
        if words.count == 2 { words[0] += "," }
        var out = MIMEEncoding.fold(name: "List-Unsubscribe", words: words)
        if oneClick {
            guard let url, url.lowercased().hasPrefix("https://") else {
                throw .invalidUnsubscribe("one-click needs an https URL (RFC 8058)")
            }
            out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        }
        return out
    }

    /// A URI in angle brackets may hold neither spaces, controls, brackets nor (RFC 2369) a literal comma.
    static func check(_ uri: String) throws(MailError) {
        guard uri.utf8.count < 900, uri.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"<>,\"".utf8.contains($0) }) else {
            throw .invalidUnsubscribe("not a usable URI: \(uri.debugDescription)")
        }
    }
}

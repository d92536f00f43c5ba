import Foundation
import RapportMail
import RapportMailTestSupport
import Testing

@Suite("Rendering a message as MIME")
struct MailMessageTests {
    static let longPersianSubject =
        "خبرنامهٔ ماهانهٔ رپورت: پیشنهادهای ویژهٔ فصل پاییز برای مشتریان وفادار در تهران، اصفهان و شیراز"

    static func sample() -> MailMessage {
        var message = MailMessage(
            from: MailAddress("news@rapport.test", name: "سلام دنیا"),
            to: [MailAddress("oksana@example.test", name: "Привіт, світе")],
            subject: longPersianSubject,
            text: "Hello\n.\n..two dots\n.hidden\nlast line   ",
            html: "<p>Ærø Æbleskiver på søndag</p>")
        message.replyTo = [MailAddress("hej@example.test", name: "Ærø Æbleskiver på søndag")]
        message.listUnsubscribe = ListUnsubscribe(
            mailto: "unsubscribe+t0k3n@rapport.test", url: "https://crm.rapport.test/u/t0k3n", oneClick: true)
        message.headers = [MailHeader("X-Rapport-Campaign", "c-42")]
        message.date = Date(timeIntervalSince1970: 1_772_546_589)  // 2026-03-03 14:03:09 UTC
        return message
    }

    /// The header section, unfolded: name → value (encoded words left as they are).
    static func headers(_ rendered: RenderedMail) -> [(String, String)] {
        let head = rendered.text.components(separatedBy: "\r\n\r\n")[0]
        return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n").map { line in
            let colon = line.firstIndex(of: ":")!
            return (
                String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
    }

    @Test("every line is CRLF-terminated ASCII of at most 78 octets, and every encoded word at most 75 characters")
    func linesAndWordsStayShort() throws {
        let rendered = try Self.sample().render()
        let text = rendered.text
        #expect(rendered.bytes.allSatisfy { $0 < 0x80 })
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "\(line)")
        }
        let words = try Regex(#"=\?[^?]+\?[BbQq]\?[^?]*\?="#)
        let found = text.matches(of: words).map { String(text[$0.range]) }
        #expect(found.count > 4)
        for word in found { #expect(word.count <= 75, "\(word)") }
    }

    @Test(
        "non-ASCII names and subjects decode back exactly from their encoded words",
        arguments: [
            "سلام دنیا", longPersianSubject, "Привіт, світе", "Ærø Æbleskiver på søndag",
            "👩‍👩‍👧‍👦 family 👨‍👨‍👧‍👦 and more 🇩🇰🇺🇦🇮🇷 flags, zero\u{200C}width joiners",
            "ASCII that looks like =?UTF-8?B?SGk=?= an encoded word",
        ])
    func encodedWordsRoundTrip(_ text: String) throws {
        var message = MailMessage(
            from: MailAddress("a@rapport.test", name: text), to: [MailAddress("b@example.test")], subject: text,
            text: "x")
        message.replyTo = [MailAddress("c@example.test", name: text)]
        let rendered = try message.render()
        let headers = Self.headers(rendered)
        let subject = try #require(headers.first { $0.0 == "Subject" }).1
        #expect(try RFC2047.decode(subject) == text)
        let from = try #require(headers.first { $0.0 == "From" }).1
        #expect(from.hasSuffix(" <a@rapport.test>"))
        #expect(try RFC2047.decode(String(from.dropLast(" <a@rapport.test>".count))) == text)
        for line in rendered.text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
    }

    @Test("a plain ASCII subject is written as it is and folded at spaces")
    func asciiSubject() throws {
        let subject = String(repeating: "Quarterly update on your account ", count: 5).trimmingCharacters(
            in: .whitespaces)
        let message = MailMessage(
            from: MailAddress("a@rapport.test"), to: [MailAddress("b@example.test")], subject: subject)
        let rendered = try message.render()
        #expect(rendered.text.contains("Subject: Quarterly update on your account"))
        #expect(Self.headers(rendered).first { $0.0 == "Subject" }?.1 == subject)
    }

    @Test("a display name with specials is quoted; plain atoms are not")
    func quotedNames() throws {
        var message = MailMessage(
            from: MailAddress("a@rapport.test", name: "Doe, \"JD\" John"),
            to: [MailAddress("b@example.test", name: "Ana Lopes"), MailAddress("c@example.test")], subject: "Hi")
        message.cc = [MailAddress("d@example.test", name: "Back\\slash")]
        let text = try message.render().text
        #expect(text.contains("From: \"Doe, \\\"JD\\\" John\" <a@rapport.test>\r\n"))
        #expect(text.contains("To: Ana Lopes <b@example.test>, c@example.test\r\n"))
        #expect(text.contains("Cc: \"Back\\\\slash\" <d@example.test>\r\n"))
    }

    @Test("headers carry Date, Message-ID at the From domain, MIME-Version, List-Unsubscribe and the X- headers")
    func standardHeaders() throws {
        let rendered = try Self.sample().render()
        let headers = Dictionary(Self.headers(rendered), uniquingKeysWith: { a, _ in a })
        #expect(headers["Date"] == "Tue, 03 Mar 2026 14:03:09 +0000")
        #expect(headers["Message-ID"] == "<\(rendered.messageID)>")
        #expect(rendered.messageID.hasSuffix("@rapport.test"))
        #expect(rendered.messageID.count == 32 + "@rapport.test".count)
        #expect(headers["MIME-Version"] == "1.0")
        #expect(
            headers["List-Unsubscribe"]
                == "<mailto:unsubscribe+t0k3n@rapport.test>, <https://crm.rapport.test/u/t0k3n>")
        #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(headers["X-Rapport-Campaign"] == "c-42")
        #expect(headers["Content-Type"]?.hasPrefix("multipart/alternative; boundary=\"=_rapport_") == true)
        // two renderings never share a Message-ID
        #expect(try Self.sample().render().messageID != rendered.messageID)
    }

    @Test("line breaks in a subject, a name or an extra header's value cannot start a new header")
    func headerInjection() throws {
        var message = MailMessage(
            from: MailAddress("a@rapport.test", name: "Eve\r\nBcc: victim@example.test"),
            to: [MailAddress("b@example.test")], subject: "Hello\r\nBcc: victim@example.test\nX-Evil: 1")
        message.headers = [MailHeader("X-Note", "fine\r\n\r\n<html>body injected"), MailHeader("X-Other", "a\rb")]
        let rendered = try message.render()
        let names = Self.headers(rendered).map { $0.0.lowercased() }
        #expect(!names.contains("bcc"))
        #expect(!names.contains("x-evil"))
        #expect(names.filter { $0 == "x-note" }.count == 1)
        let headers = Dictionary(Self.headers(rendered), uniquingKeysWith: { a, _ in a })
        #expect(headers["Subject"] == "Hello Bcc: victim@example.test X-Evil: 1")
        #expect(headers["X-Note"] == "fine <html>body injected")
        #expect(headers["X-Other"] == "a b")
    }

    @Test(
        "addresses, header names and unsubscribe URIs that could break the message are refused",
        arguments: [
            (MailHeader("X-Bad\r\nBcc", "x"), MailError.invalidHeaderName("X-Bad\r\nBcc")),
            (MailHeader("X:Colon", "x"), MailError.invalidHeaderName("X:Colon")),
            (MailHeader("", "x"), MailError.invalidHeaderName("")),
            (MailHeader("bcc", "victim@example.test"), MailError.reservedHeader("bcc")),
            (MailHeader("Content-Type", "text/html"), MailError.reservedHeader("Content-Type")),
        ])
    func refusedHeaders(_ header: MailHeader, _ error: MailError) throws {
        var message = MailMessage(
            from: MailAddress("a@rapport.test"), to: [MailAddress("b@example.test")], subject: "s")
        message.headers = [header]
        #expect(throws: error) { try message.render() }
    }

    @Test(
        "an address with a line break, a bracket or no @ is refused",
        arguments: [
            "b@example.test>\r\nBcc: c@example.test", "b@example.test\n", "no-at-sign", "a b@example.test", "a@b@c",
            "ö@example.test", "@example.test", "a@",
        ])
    func refusedAddresses(_ address: String) throws {
        let message = MailMessage(from: MailAddress("a@rapport.test"), to: [MailAddress(address)], subject: "s")
        #expect(throws: MailError.invalidAddress(address)) { try message.render() }
    }

    @Test("one-click unsubscribe needs an https URL, and URIs cannot hold spaces or commas")
    func unsubscribeChecks() throws {
        var message = MailMessage(
            from: MailAddress("a@rapport.test"), to: [MailAddress("b@example.test")], subject: "s")
        message.listUnsubscribe = ListUnsubscribe(mailto: "u@rapport.test", url: nil, oneClick: true)
        #expect(throws: MailError.self) { try message.render() }
        message.listUnsubscribe = ListUnsubscribe(mailto: nil, url: "https://x.test/a,b", oneClick: false)
        #expect(throws: MailError.self) { try message.render() }
        message.listUnsubscribe = ListUnsubscribe(mailto: "mailto:u@rapport.test?subject=stop", oneClick: false)
        let text = try message.render().text
        #expect(text.contains("List-Unsubscribe: <mailto:u@rapport.test?subject=stop>\r\n"))
        #expect(!text.contains("List-Unsubscribe-Post"))
    }

    @Test("mostly-ASCII text is quoted-printable with short lines and encoded trailing spaces; Persian is base64")
    func bodyEncodings() throws {
        let long =
            String(repeating: "Dear customer, your box of Ærø Æbleskiver ships on Monday. ", count: 6) + "\nend   "
        var message = MailMessage(
            from: MailAddress("a@rapport.test"), to: [MailAddress("b@example.test")], subject: "s", text: long)
        var text = try message.render().text
        #expect(text.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(text.contains("=C3=86r=C3=B8"))
        #expect(text.contains("end  =20"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }

        message.text = String(repeating: Self.longPersianSubject + "\n", count: 5)
        text = try message.render().text
        #expect(text.contains("Content-Transfer-Encoding: base64"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
    }

    @Test("a message with only HTML is a single text/html part")
    func htmlOnly() throws {
        let message = MailMessage(
            from: MailAddress("a@rapport.test"), to: [MailAddress("b@example.test")], subject: "s", html: "<p>Hi</p>")
        let text = try message.render().text
        #expect(text.contains("Content-Type: text/html; charset=utf-8\r\n"))
        #expect(!text.contains("multipart"))
    }
}

/// A small RFC 2047 decoder for the tests: encoded words (B and Q) with the whitespace between adjacent ones
/// dropped, as a mail reader does.
enum RFC2047 {
    struct DecodeError: Error {}

    static func decode(_ value: String) throws -> String {
        let word = try Regex(#"=\?([^?]+)\?([BbQq])\?([^?]*)\?="#)
        var out: [UInt8] = []
        var rest = Substring(value)
        var previousWasWord = false
        while let match = rest.firstMatch(of: word) {
            let between = rest[rest.startIndex..<match.range.lowerBound]
            if !(previousWasWord && between.allSatisfy(\.isWhitespace)) { out += Array(between.utf8) }
            guard let charset = match.output[1].substring, charset.uppercased() == "UTF-8",
                let encoding = match.output[2].substring, let payload = match.output[3].substring
            else { throw DecodeError() }
            if encoding.uppercased() == "B" {
                guard let data = Data(base64Encoded: String(payload)) else { throw DecodeError() }
                out += Array(data)
            } else {
                var bytes = Array(payload.utf8)[...]
                while let byte = bytes.popFirst() {
                    if byte == UInt8(ascii: "_") {
                        out.append(0x20)
                    } else if byte == UInt8(ascii: "="), bytes.count >= 2,
                        let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
                    {
                        out.append(value)
                        bytes = bytes.dropFirst(2)
                    } else {
                        out.append(byte)
                    }
                }
            }
            previousWasWord = true
            rest = rest[match.range.upperBound...]
        }
        out += Array(rest.utf8)
        guard let text = String(validating: out, as: UTF8.self) else { throw DecodeError() }
        return text
    }
}

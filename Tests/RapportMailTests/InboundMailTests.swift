import Foundation
import RapportMail
import Testing

@Suite("Reading mail that comes back")
struct InboundMailTests {
    /// A delivery status notification as Postfix writes one, with the returned message's headers.
    static func report(
        action: String = "failed", status: String = "5.1.1", recipient: String = "gone@mail.test",
        returned: String =
            "Message-ID: <abc123@acme.test>\nX-Rapport-Message: 0190f2a4-1111-7000-8000-000000000001\nSubject: =?UTF-8?B?2LPZhNin2YU=?=\n",
        lineEnding: String = "\r\n"
    ) -> [UInt8] {
        let text = """
            From: MAILER-DAEMON@relay.test (Mail Delivery System)
            To: news@acme.test
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
            \tboundary="B1/relay.test"

            This is a MIME-encapsulated message.

            --B1/relay.test
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients.

            --B1/relay.test
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; relay.test
            Arrival-Date: Sat,  5 Dec 2026 10:00:00 +0000 (UTC)

            Final-Recipient: rfc822; \(recipient)
            Original-Recipient: rfc822;\(recipient)
            Action: \(action)
            Status: \(status)
            Diagnostic-Code: smtp; 550 5.1.1 <\(recipient)>: Recipient address
                rejected: User unknown

            --B1/relay.test
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            \(returned)
            --B1/relay.test--
            """
        return Array(text.replacingOccurrences(of: "\n", with: lineEnding).utf8)
    }

    @Test(
        "a delivery status notification gives each recipient's action and status, and the returned headers",
        arguments: ["\r\n", "\n"])
    func deliveryReport(_ lineEnding: String) throws {
        let mail = try InboundMail(parsing: Self.report(lineEnding: lineEnding))
        #expect(mail.subject == "Undelivered Mail Returned to Sender")
        #expect(mail.contentType.type == "multipart/report")
        #expect(mail.contentType.parameters["boundary"] == "B1/relay.test")
        #expect(mail.parts.count == 3)
        let report = try #require(mail.deliveryReport)
        #expect(report.recipients.count == 1)
        let recipient = try #require(report.recipients.first)
        #expect(recipient.finalRecipient == "gone@mail.test")
        #expect(recipient.action == "failed" && recipient.status == "5.1.1")
        #expect(recipient.isPermanentFailure)
        #expect(recipient.diagnostic == "smtp; 550 5.1.1 <gone@mail.test>: Recipient address    rejected: User unknown")
        #expect(report.originalHeader("message-id") == "<abc123@acme.test>")
        #expect(report.originalHeader("X-Rapport-Message") == "0190f2a4-1111-7000-8000-000000000001")
        #expect(report.originalHeader("Subject") == "سلام")
    }

    @Test("a delay is not a permanent failure")
    func delayed() throws {
        let report = try #require(
            try InboundMail(parsing: Self.report(action: "delayed", status: "4.4.1")).deliveryReport)
        #expect(report.recipients.first?.isPermanentFailure == false)
    }

    @Test("encoded words in B and Q, in UTF-8 and Latin-1, are decoded; the space between two of them is dropped")
    func encodedWords() throws {
        let text =
            "Subject: Re: =?UTF-8?Q?unsubscribe_?= =?utf-8?B?QUJD?= and =?ISO-8859-1?Q?=E6bler?=\r\nFrom: a@b.test\r\n\r\nbody"
        let mail = try InboundMail(parsing: Array(text.utf8))
        #expect(mail.subject == "Re: unsubscribe ABC and æbler")
        #expect(mail.body == Array("body".utf8))
    }

    @Test("a quoted-printable or base64 body is decoded, and a plain message has no report")
    func bodies() throws {
        let qp = "Content-Transfer-Encoding: quoted-printable\n\nH=C3=A6j =\nverden=3D"
        #expect(String(decoding: try InboundMail(parsing: Array(qp.utf8)).body, as: UTF8.self) == "Hæj verden=")
        let b64 = "Content-Transfer-Encoding: base64\r\n\r\n2LPZhNin\r\n2YU=\r\n"
        let mail = try InboundMail(parsing: Array(b64.utf8))
        #expect(String(decoding: mail.body, as: UTF8.self) == "سلام")
        #expect(mail.deliveryReport == nil)
    }

    @Test("empty, headerless, oversized and too deeply nested input is refused with its reason")
    func refused() {
        #expect(throws: InboundMail.ReadError.empty) { try InboundMail(parsing: []) }
        #expect(throws: InboundMail.ReadError.noHeaders) { try InboundMail(parsing: Array("just text\n".utf8)) }
        #expect(throws: InboundMail.ReadError.tooLarge) {
            try InboundMail(parsing: [UInt8](repeating: 0x41, count: InboundMail.maximumBytes + 1))
        }
        var nested = "Subject: x\r\n\r\nend"
        for depth in 0..<8 {
            nested =
                "Content-Type: multipart/mixed; boundary=b\(depth)\r\n\r\n--b\(depth)\r\n\(nested)\r\n--b\(depth)--\r\n"
        }
        #expect(throws: InboundMail.ReadError.tooManyParts) { try InboundMail(parsing: Array(nested.utf8)) }
    }

    @Test("fuzzed messages are read or refused, never crash")
    func fuzz() {
        let pieces = [
            "Subject: ", "Content-Type: multipart/report; boundary=x", "\r\n", "\n", "--x", "--x--", " ", "\t",
            "=?UTF-8?B?", "?=", "=?", "Q?", "=C3", "=", "Action: failed", "Status: 5.1.1", "message/delivery-status",
            "Content-Type: ", "text/rfc822-headers", "Content-Transfer-Encoding: base64", "quoted-printable", "سلام",
            ":", "a", "\u{0}",
        ]
        // (a fixed sequence, so a failure can be replayed)
        var generator = Seeded(state: 2026)
        for _ in 0..<2000 {
            let count = Int.random(in: 0...40, using: &generator)
            let input = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if let mail = try? InboundMail(parsing: Array(input.utf8)) {
                _ = mail.deliveryReport
                _ = mail.subject
            }
        }
    }

    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportMailTestSupport
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// `POST /api/v1/email/inbound` through the real router: marketing mail is sent to a real SMTP server, and what
/// comes back (a bounce report naming a message it received, an unsubscribe request to the List-Unsubscribe
/// address it carried) is handed in as a mail server would.
@Suite("Inbound mail API", .timeLimit(.minutes(3)))
struct InboundMailAPITests {
    /// A delivery status notification for `to`, returning `headers` of the message.
    static func bounceReport(to: String, headers: String, status: String = "5.1.1", action: String = "failed") -> String
    {
        """
        From: MAILER-DAEMON@relay.test\r
        To: news@acme.test\r
        Subject: Undelivered Mail Returned to Sender\r
        Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r
        \r
        --R\r
        Content-Type: text/plain\r
        \r
        Your message could not be delivered.\r
        --R\r
        Content-Type: message/delivery-status\r
        \r
        Reporting-MTA: dns; relay.test\r
        \r
        Final-Recipient: rfc822; \(to)\r
        Action: \(action)\r
        Status: \(status)\r
        Diagnostic-Code: smtp; 550 \(status) user unknown\r
        \r
        --R\r
        Content-Type: text/rfc822-headers\r
        \r
        \(headers)\r
        --R--\r

        """
    }

    static func unsubscribeRequest(from: String, subject: String) -> String {
        "From: \(from)\r\nTo: news@acme.test\r\nSubject: \(subject)\r\n\r\nPlease take me off the list.\r\n"
    }

    @Test(
        "a bounce report marks its message bounced and the contact undeliverable; an unsubscribe mail withdraws consent; another workspace changes nothing",
        arguments: Backend.allCases)
    func inbound(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let a = try await Fixtures.workspace(app)
                let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
                let (_, memberToken) = try await Fixtures.user(app, in: a, email: "m@acme.test", role: .member)
                let principal = Principal(user: a.owner, workspace: a.workspace)
                _ = try await EmailSettingsService(app.services).put(
                    principal,
                    .init(
                        host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                        from: "news@acme.test", fromName: "Acme News", replyTo: nil))
                // three contacts who subscribed, each sent one marketing message
                let emails = EmailService(app.services)
                var madeContacts: [Record] = []
                var madeRows: [OutboxMessage] = []
                for (first, address) in [
                    ("Søren", "gone@mail.test"), ("Дарина", "daryna@mail.test"), ("Ali", "ali@mail.test"),
                ] {
                    let contact = try await RecordService(app.services, schema: .contacts).create(
                        principal.viewer,
                        fields: [
                            "first_name": .string(first), "email": .string(address),
                            "email_consent": .string("subscribed"),
                        ],
                        actor: Actor(.user, id: a.owner.id))
                    madeContacts.append(contact)
                    let (row, _) = try await emails.enqueue(
                        EmailService.Outgoing(
                            workspaceID: a.workspace.id, idempotencyKey: "news:\(contact.id)", kind: .marketing,
                            contactID: contact.id, toAddress: address,
                            rendered: RenderedTemplate(subject: "News", html: "<p>Hi</p>", text: "Hi"),
                            unsubscribeURL: emails.unsubscribeURL(workspaceID: a.workspace.id, address: address)))
                    madeRows.append(row)
                }
                let contacts = madeContacts
                let rows = madeRows
                _ = try await EmailDelivery(app.services).run(workspaceID: a.workspace.id, owner: RecordID.make())
                let received = try server.received()
                #expect(received.count == 3)
                func header(_ name: String, to address: String) -> String? {
                    received.first { $0.rcptTos == [address] }?.message.value(name)
                }
                // (what the test reads of the messages received)
                let goneMessageID = try #require(header("Message-ID", to: "gone@mail.test"))
                let aliMessageID = try #require(header("Message-ID", to: "ali@mail.test"))
                let darynaUnsubscribe = try #require(header("List-Unsubscribe", to: "daryna@mail.test"))
                let outbox = OutboxRepository(store: app.runtime.store)
                try await app.test { client in
                    func post(_ text: String, token: String? = nil) async throws -> TestResponse {
                        try await client.execute(
                            uri: "/api/v1/email/inbound", method: .post,
                            headers: .bearer(token ?? a.token, [.contentType: "message/rfc822"]),
                            body: ByteBuffer(string: text))
                    }
                    // a bounce report that returns only the Message-ID, handed in by B: not B's message
                    let messageID = goneMessageID
                    let report = Self.bounceReport(
                        to: "gone@mail.test", headers: "Message-ID: \(messageID)\r\nSubject: News")
                    let foreign = try await post(report, token: b.token)
                    #expect(foreign.status == .ok)
                    #expect(foreign.json["outcome"] as? String == "ignored")
                    #expect(try await outbox.find(workspaceID: a.workspace.id, id: rows[0].id)?.state == .sent)
                    // a member may not hand mail in
                    #expect(try await post(report, token: memberToken).status == .forbidden)
                    // a delay is not a bounce
                    let delayed = try await post(
                        Self.bounceReport(
                            to: "gone@mail.test", headers: "Message-ID: \(messageID)", status: "4.4.1",
                            action: "delayed"))
                    #expect(delayed.json["outcome"] as? String == "ignored")
                    // A's own: the message bounced, the address suppressed, the contact undeliverable, on the timeline
                    let bounced = try await post(report)
                    #expect(bounced.status == .ok, "\(bounced.text)")
                    #expect(bounced.json["outcome"] as? String == "bounced")
                    #expect(bounced.json["outbox_id"] as? String == rows[0].id)
                    #expect(bounced.json["status"] as? String == "5.1.1")
                    let row = try #require(try await outbox.find(workspaceID: a.workspace.id, id: rows[0].id))
                    #expect(row.state == .bounced)
                    #expect(row.smtpReply?.contains("5.1.1") == true)
                    let suppression = try await EmailSettingsRepository(store: app.runtime.store).suppression(
                        workspaceID: a.workspace.id, address: "gone@mail.test")
                    #expect(suppression == "hard_bounce")
                    let contact = try await RecordService(app.services, schema: .contacts).get(
                        principal.viewer, id: contacts[0].id)
                    #expect(contact.string("email_status") == "undeliverable")
                    let events = try await app.runtime.store.database.raw(
                        "SELECT type FROM events WHERE contact_id = \(bind: contacts[0].id) AND type LIKE 'email%' ORDER BY type"
                    ).all().map { try $0.decode(column: "type", as: String.self) }
                    #expect(events == ["email_bounced", "email_sent"])
                    // the same report again changes nothing more
                    let again = try await post(report)
                    #expect(again.json["outcome"] as? String == "ignored")
                    // a report about another recipient than the message's is ignored
                    let mismatch = try await post(
                        Self.bounceReport(
                            to: "someone@else.test",
                            headers: "X-Rapport-Message: \(rows[2].id)\r\nMessage-ID: \(aliMessageID)"))
                    #expect(mismatch.json["outcome"] as? String == "ignored")
                    #expect(try await outbox.find(workspaceID: a.workspace.id, id: rows[2].id)?.state == .sent)

                    // an unsubscribe request to the List-Unsubscribe mailto:, with the subject it asked for
                    let header = darynaUnsubscribe
                    let mailto = try #require(
                        header.split(separator: ",").map {
                            $0.trimmingCharacters(in: CharacterSet(charactersIn: " <>"))
                        }
                        .first { $0.hasPrefix("mailto:") })
                    let subject = try #require(
                        URLComponents(string: mailto)?.queryItems?.first { $0.name == "subject" }?.value)
                    #expect(subject.hasPrefix("unsubscribe "))
                    // B cannot use A's token; a forged token is ignored
                    let request = Self.unsubscribeRequest(from: "daryna@mail.test", subject: subject)
                    #expect(try await post(request, token: b.token).json["outcome"] as? String == "ignored")
                    let forged = try await post(
                        Self.unsubscribeRequest(from: "daryna@mail.test", subject: subject + "x"))
                    #expect(forged.json["outcome"] as? String == "ignored")
                    var withdrawn = try await RecordService(app.services, schema: .contacts).get(
                        principal.viewer, id: contacts[1].id)
                    #expect(withdrawn.string("email_consent") == "subscribed")
                    // A's, as a mail client sends it (a reply prefix and an encoded subject are fine)
                    let unsubscribed = try await post(
                        Self.unsubscribeRequest(from: "daryna@mail.test", subject: "Re: \(subject)"))
                    #expect(unsubscribed.json["outcome"] as? String == "unsubscribed", "\(unsubscribed.text)")
                    #expect(unsubscribed.json["address"] as? String == "daryna@mail.test")
                    withdrawn = try await RecordService(app.services, schema: .contacts).get(
                        principal.viewer, id: contacts[1].id)
                    #expect(withdrawn.string("email_consent") == "unsubscribed")
                    #expect(withdrawn.string("email_consent_source") == "unsubscribe_mail")
                    #expect(
                        try await outbox.find(workspaceID: a.workspace.id, id: rows[1].id)?.unsubscribedAt != nil)

                    // anything else is ignored; bytes that are no message are refused
                    let other = try await post("From: x@y.test\r\nSubject: Hello\r\n\r\nHi there\r\n")
                    #expect(other.json["outcome"] as? String == "ignored")
                    let garbage = try await post("")
                    #expect(garbage.status == .unprocessableContent)
                    #expect(garbage.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }
}

import Foundation
import RapportCore
import RapportMail
import RapportMailTestSupport
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Open and click tracking of marketing mail, sent through a real SMTP server (aiosmtpd) and read back as the
/// recipient got it, on SQLite and PostgreSQL. Times are given, never waited for.
@Suite("Email tracking", .timeLimit(.minutes(5)))
struct EmailTrackingTests {
    typealias World = EmailDeliveryTests.World

    static let base = "https://crm.acme.test"
    static let browser =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"

    static let html = """
        <html><body><p>Hej {{first_name}}</p>
        <p><a href="https://shop.acme.test/sale?utm=mail&amp;id=7">Sale</a> ·
        <a href='https://acme.test/blog'>Blog</a> · <a href="mailto:help@acme.test">Write to us</a></p>
        <p><a href="{{unsubscribe_url}}">Unsubscribe</a></p></body></html>
        """

    /// One marketing message (from a template) delivered at `sentAt` (a minute from now, so that it is due) to a
    /// new contact, and what arrived.
    static func sendOne(
        _ world: World, server: TestSMTPServer, kind: TemplateKind = .marketing, email: String = "ida@mail.test",
        at sentAt: Int64
    ) async throws -> (message: OutboxMessage, received: ReceivedMail.Message, contact: Record) {
        let contact = try await world.contact("Ida", email)
        let template = try await TemplateService(world.services).create(
            world.principal,
            .init(
                name: "News \(kind)", kind: kind, subject: "News for {{first_name}}",
                html: .some(
                    kind == .marketing
                        ? html : html.replacingOccurrences(of: "{{unsubscribe_url}}", with: "https://acme.test/account")
                )
            ))
        let (message, _) = try await EmailService(world.services).send(
            world.principal, templateID: template.id, contactID: contact.id, purpose: "news", key: nil)
        try await world.deliver(at: sentAt)
        let received = try #require(try server.received().last).message
        return (try await world.row(message.id), received, contact)
    }

    static func part(_ message: ReceivedMail.Message, _ type: String) -> String {
        message.parts.first { $0.contentType == type }?.text ?? ""
    }

    /// The tokens of the public links of a kind (`t/c`, `t/o`, `u`, `p`) in a text, in order.
    static func tokens(_ path: String, in text: String) -> [String] {
        let pattern = try! NSRegularExpression(
            pattern: NSRegularExpression.escapedPattern(for: base + "/" + path + "/") + "([A-Za-z0-9_-]+)")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    static func events(_ app: TestApp, contactID: String) async throws -> [String] {
        try await app.runtime.store.database.raw(
            "SELECT type FROM events WHERE contact_id = \(bind: contactID) AND type LIKE 'email%' ORDER BY id"
        ).all().map { try $0.decode(column: "type", as: String.self) }
    }

    @Test(
        "marketing mail goes out with click redirects, an open pixel and its own unsubscribe link; transactional mail as written",
        arguments: Backend.allCases)
    func rewritten(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: EmailDeliveryTests.configure) { app in
                let world = try await World.make(app, server: server)
                let sentAt = Timestamp.micros(Date()) + 60_000_000
                let (message, received, _) = try await Self.sendOne(world, server: server, at: sentAt)
                let html = Self.part(received, "text/html")
                let clicks = Self.tokens("t/c", in: html)
                #expect(clicks.count == 2)
                #expect(!html.contains("https://shop.acme.test"))
                #expect(html.contains(#"href="mailto:help@acme.test""#))
                #expect(Self.tokens("t/o", in: html).count == 1)
                let unsubscribe = try #require(Self.tokens("u", in: html).first)
                // the link names the message, and the header carries the same one (RFC 8058 one-click)
                let target = try #require(try await EmailTracking(app.services).unsubscribeTarget(token: unsubscribe))
                #expect(target.outboxID == message.id)
                #expect(try #require(received.value("List-Unsubscribe")).contains("\(Self.base)/u/\(unsubscribe)"))
                #expect(received.value("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
                // the text part's links too, the unsubscribe link kept
                let text = Self.part(received, "text/plain")
                #expect(Self.tokens("t/c", in: text).count == 2)
                #expect(Self.tokens("u", in: text) == [unsubscribe])
                // what the outbox keeps is the message as rendered
                #expect(message.html?.contains("https://shop.acme.test/sale") == true)

                let (_, plain, _) = try await Self.sendOne(
                    world, server: server, kind: .transactional, email: "receipt@mail.test", at: sentAt)
                let plainHTML = Self.part(plain, "text/html")
                #expect(Self.tokens("t/c", in: plainHTML).isEmpty && Self.tokens("t/o", in: plainHTML).isEmpty)
                #expect(plainHTML.contains("https://shop.acme.test/sale?utm=mail&amp;id=7"))
                #expect(plain.value("List-Unsubscribe") == nil)
            }
        }
    }

    @Test(
        "opens within a minute of a counted one count once; the first sets opened_at; counted ones reach the timeline",
        arguments: Backend.allCases)
    func opens(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: EmailDeliveryTests.configure) { app in
                let world = try await World.make(app, server: server)
                let sentAt = Timestamp.micros(Date()) + 60_000_000
                let (message, received, contact) = try await Self.sendOne(world, server: server, at: sentAt)
                let pixel = try #require(Self.tokens("t/o", in: Self.part(received, "text/html")).first)
                let tracking = EmailTracking(app.services)
                for seconds: Int64 in [10, 40, 69, 71, 75] {
                    #expect(
                        try await tracking.open(
                            token: pixel, userAgent: Self.browser, now: sentAt + seconds * 1_000_000))
                }
                let hits = try await TrackingRepository(store: app.runtime.store).hits(
                    workspaceID: world.workspaceID, outboxID: message.id)
                #expect(hits.map(\.counted) == [true, false, false, true, false])
                #expect(hits.compactMap(\.flag) == [.repeatOpen, .repeatOpen, .repeatOpen])
                #expect(hits.allSatisfy { $0.contactID == contact.id && $0.userAgent == Self.browser })
                let row = try await world.row(message.id)
                #expect(row.openedAt == sentAt + 10_000_000)
                #expect(row.clickedAt == nil)
                #expect(
                    try await Self.events(app, contactID: contact.id) == ["email_sent", "email_opened", "email_opened"])
            }
        }
    }

    @Test("twenty opens of one message at once count once, and set opened_at once", arguments: Backend.allCases)
    func concurrentOpens(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: EmailDeliveryTests.configure) { app in
                let world = try await World.make(app, server: server)
                let sentAt = Timestamp.micros(Date()) + 60_000_000
                let (message, received, contact) = try await Self.sendOne(world, server: server, at: sentAt)
                let pixel = try #require(Self.tokens("t/o", in: Self.part(received, "text/html")).first)
                let tracking = EmailTracking(app.services)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            _ = try await tracking.open(
                                token: pixel, userAgent: Self.browser, now: sentAt + 5_000_000 + Int64(index))
                        }
                    }
                    try await group.waitForAll()
                }
                let hits = try await TrackingRepository(store: app.runtime.store).hits(
                    workspaceID: world.workspaceID, outboxID: message.id)
                #expect(hits.count == 20)
                #expect(hits.filter { $0.counted }.count == 1)
                #expect(try await Self.events(app, contactID: contact.id) == ["email_sent", "email_opened"])
            }
        }
    }

    @Test(
        "a click leads to the signed address only, counts, implies an open, and lands on the timeline with its address",
        arguments: Backend.allCases)
    func clicks(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: EmailDeliveryTests.configure) { app in
                let world = try await World.make(app, server: server)
                let sentAt = Timestamp.micros(Date()) + 60_000_000
                let (message, received, contact) = try await Self.sendOne(world, server: server, at: sentAt)
                let clicks = Self.tokens("t/c", in: Self.part(received, "text/html"))
                let tracking = EmailTracking(app.services)
                let first = try await tracking.click(
                    token: clicks[0], userAgent: Self.browser, now: sentAt + 30_000_000)
                #expect(first == "https://shop.acme.test/sale?utm=mail&id=7")
                let second = try await tracking.click(
                    token: clicks[1], userAgent: Self.browser, now: sentAt + 90_000_000)
                #expect(second == "https://acme.test/blog")
                let row = try await world.row(message.id)
                #expect(row.clickedAt == sentAt + 30_000_000)
                #expect(row.openedAt == sentAt + 30_000_000)
                let hits = try await TrackingRepository(store: app.runtime.store).hits(
                    workspaceID: world.workspaceID, outboxID: message.id)
                #expect(hits.map(\.kind) == [.click, .open, .click])
                #expect(hits.map(\.flag) == [nil, .impliedByClick, nil])
                #expect(hits.allSatisfy { $0.counted })
                #expect(
                    try await Self.events(app, contactID: contact.id) == [
                        "email_sent", "email_opened", "email_clicked", "email_clicked",
                    ])
                let bodies = try await app.runtime.store.database.raw(
                    "SELECT data FROM events WHERE contact_id = \(bind: contact.id) AND type = 'email_clicked'"
                ).all().map { try $0.decode(column: "data", as: String.self) }
                #expect(bodies.contains { $0.contains("https://acme.test/blog") && $0.contains("News for Ida") })
            }
        }
    }

    @Test(
        "a link scanner's clicks are recorded but flagged, and count for nothing",
        arguments: Backend.allCases)
    func scanners(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: EmailDeliveryTests.configure) { app in
                let world = try await World.make(app, server: server)
                let sentAt = Timestamp.micros(Date()) + 60_000_000
                let (message, received, contact) = try await Self.sendOne(world, server: server, at: sentAt)
                let click = try #require(Self.tokens("t/c", in: Self.part(received, "text/html")).first)
                let tracking = EmailTracking(app.services)
                // within a second of delivery, an agent that is no browser; later, a known gateway
                _ = try await tracking.click(
                    token: click, userAgent: "Microsoft Office Existence Discovery", now: sentAt + 400_000)
                _ = try await tracking.click(token: click, userAgent: nil, now: sentAt + 900_000)
                let url = try await tracking.click(
                    token: click, userAgent: "Mozilla/5.0 (compatible; Mimecast URL protect)",
                    now: sentAt + 3_600_000_000)
                #expect(url == "https://shop.acme.test/sale?utm=mail&id=7")
                let hits = try await TrackingRepository(store: app.runtime.store).hits(
                    workspaceID: world.workspaceID, outboxID: message.id)
                #expect(hits.map(\.flag) == [.prefetch, .prefetch, .scanner])
                #expect(hits.allSatisfy { !$0.counted })
                let row = try await world.row(message.id)
                #expect(row.clickedAt == nil && row.openedAt == nil)
                #expect(try await Self.events(app, contactID: contact.id) == ["email_sent"])
            }
        }
    }
}

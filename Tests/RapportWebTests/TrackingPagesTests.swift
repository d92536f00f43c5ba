import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportMailTestSupport
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// The public pages of marketing mail, through the real router: the open pixel, click redirects, the
/// unsubscribe page and the preference centre, with messages delivered through a real SMTP server, on SQLite
/// and PostgreSQL.
@Suite("Tracking, unsubscribe and preference pages", .timeLimit(.minutes(5)))
struct TrackingPagesTests {
    static let base = "https://crm.acme.test"
    static let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"

    /// A workspace sending through the test server, with its own templates.
    struct Sender {
        let app: TestApp
        let seeded: Seeded
        let server: TestSMTPServer
        var principal: Principal { Principal(user: seeded.owner, workspace: seeded.workspace) }
        var workspaceID: String { seeded.workspace.id }

        static func make(_ app: TestApp, server: TestSMTPServer, name: String = "Acme") async throws -> Sender {
            let seeded = try await Fixtures.workspace(app, name: name, email: "owner@\(name.lowercased()).test")
            let sender = Sender(app: app, seeded: seeded, server: server)
            _ = try await EmailSettingsService(app.services).put(
                sender.principal,
                .init(
                    host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                    from: "news@acme.test", fromName: "Acme", replyTo: nil))
            return sender
        }

        func contact(_ first: String, _ email: String, language: String? = nil) async throws -> Record {
            var fields: [String: JSONValue] = [
                "first_name": .string(first), "email": .string(email), "email_consent": .string("subscribed"),
            ]
            if let language { fields["language"] = .string(language) }
            return try await RecordService(app.services, schema: .contacts).create(
                principal.viewer, fields: fields, actor: Actor(.user, id: seeded.owner.id))
        }

        func template(_ name: String, topicID: String? = nil) async throws -> StoredTemplate {
            try await TemplateService(app.services).create(
                principal,
                .init(
                    name: name, kind: .marketing, subject: "\(name) for {{first_name}}",
                    html: .some(
                        #"<p>Hi {{first_name}}, <a href="https://acme.test/offer">see the offer</a>.</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a> · <a href="{{preferences_url}}">Preferences</a></p>"#
                    ), topicID: .some(topicID)))
        }

        /// Sends a template to a contact and runs delivery; the row as it ended, and the HTML that arrived (nil
        /// when nothing did).
        func send(_ template: StoredTemplate, to contact: Record) async throws -> (OutboxMessage, String?) {
            let before = try server.received().count
            let (message, _) = try await EmailService(app.services).send(
                principal, templateID: template.id, contactID: contact.id, purpose: nil, key: nil)
            _ = try await EmailDelivery(app.services).run(workspaceID: workspaceID, owner: RecordID.make())
            let received = try server.received()
            let row = try #require(
                try await OutboxRepository(store: app.runtime.store).find(workspaceID: workspaceID, id: message.id))
            guard received.count > before else { return (row, nil) }
            return (row, received.last?.message.parts.first { $0.contentType == "text/html" }?.text)
        }
    }

    static func configure(_ config: inout AppConfig) {
        config.publicURL = base
    }

    /// The path of the first public link of a kind (`t/c`, `t/o`, `u`, `p`) in a message.
    static func path(_ kind: String, in html: String?) throws -> String {
        let html = try #require(html)
        let start = try #require(html.range(of: base + "/" + kind + "/"))
        let token = html[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return "/\(kind)/\(token)"
    }

    static func count(_ app: TestApp, _ sql: SQLQueryString) async throws -> Int {
        try await app.runtime.store.database.raw(sql).first()?.decode(column: "n", as: Int.self) ?? -1
    }

    static func bytes(_ token: Substring) -> [UInt8] {
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Array(Data(base64Encoded: text) ?? Data())
    }

    static func token(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func uuidBytes(_ id: String) -> [UInt8] {
        withUnsafeBytes(of: UUID(uuidString: id)!.uuid) { Array($0) }
    }

    @Test(
        "the pixel answers an uncached GIF and records an open; a click answers 302 to the signed address",
        arguments: Backend.allCases)
    func pixelAndRedirect(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: Self.configure) { app in
                let sender = try await Sender.make(app, server: server)
                let contact = try await sender.contact("Ida", "ida@mail.test")
                let (message, html) = try await sender.send(try await sender.template("News"), to: contact)
                let pixel = try Self.path("t/o", in: html)
                let click = try Self.path("t/c", in: html)
                try await app.test { client in
                    // a link checker's HEAD records nothing
                    let head = try await client.execute(uri: click, method: .head)
                    #expect(head.status == .found)
                    let image = try await client.execute(
                        uri: pixel, method: .get, headers: [.userAgent: Self.browser, .accept: "image/*"])
                    #expect(image.status == .ok)
                    #expect(image.headers[.contentType] == "image/gif")
                    #expect(image.headers[.cacheControl]?.contains("no-store") == true)
                    #expect(image.body.readableBytes == 43)
                    let redirect = try await client.execute(
                        uri: click, method: .get, headers: [.userAgent: Self.browser, .accept: "text/html"])
                    #expect(redirect.status == .found)
                    #expect(redirect.headers[.location] == "https://acme.test/offer")
                    #expect(redirect.headers[.cacheControl]?.contains("no-store") == true)
                }
                let row = try #require(
                    try await OutboxRepository(store: app.runtime.store).find(
                        workspaceID: sender.workspaceID, id: message.id))
                #expect(row.openedAt != nil && row.clickedAt != nil)
                #expect(
                    try await Self.count(app, "SELECT COUNT(*) AS n FROM email_tracking_hits WHERE counted = 1") == 2)
            }
        }
    }

    @Test("past the tracking rate limit an address's opens and clicks are answered but not recorded")
    func rateLimited() async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(
                .sqlite,
                configure: {
                    Self.configure(&$0)
                    $0.trackingRateLimit = 2
                }
            ) { app in
                let sender = try await Sender.make(app, server: server)
                let contact = try await sender.contact("Ida", "ida@mail.test")
                let (_, html) = try await sender.send(try await sender.template("News"), to: contact)
                let pixel = try Self.path("t/o", in: html)
                let click = try Self.path("t/c", in: html)
                try await app.test { client in
                    for _ in 0..<3 {
                        let image = try await client.execute(
                            uri: pixel, method: .get, headers: [.userAgent: Self.browser])
                        #expect(image.status == .ok && image.body.readableBytes == 43)
                    }
                    let redirect = try await client.execute(
                        uri: click, method: .get, headers: [.userAgent: Self.browser])
                    #expect(redirect.status == .found)
                    #expect(redirect.headers[.location] == "https://acme.test/offer")
                    // a forged token is still refused past the limit
                    #expect(try await client.execute(uri: pixel + "x", method: .get).status == .badRequest)
                }
                #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM email_tracking_hits") == 2)
            }
        }
    }

    @Test(
        "a tampered, forged, cut or cross-workspace token answers 400 and records nothing",
        arguments: Backend.allCases)
    func tampering(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: Self.configure) { app in
                let sender = try await Sender.make(app, server: server)
                let other = try await Sender.make(app, server: server, name: "Globex")
                let contact = try await sender.contact("Ida", "ida@mail.test")
                let (message, html) = try await sender.send(try await sender.template("News"), to: contact)
                let click = try Self.path("t/c", in: html)
                let pixel = try Self.path("t/o", in: html)
                let unsubscribe = try Self.path("u", in: html)
                let preferences = try Self.path("p", in: html)
                var bytes = Self.bytes(click.dropFirst(5))
                // the same token leading elsewhere: the address changed, the signature kept
                let address = Array("https://acme.test/offer".utf8)
                let evil = Array("https://evil.test/offer".utf8)
                let at = try #require(
                    (0...(bytes.count - address.count)).first { Array(bytes[$0..<($0 + address.count)]) == address })
                var forged = bytes
                forged.replaceSubrange(at..<(at + address.count), with: evil)
                // the same message claimed for another workspace
                var moved = bytes
                moved.replaceSubrange(2..<18, with: Self.uuidBytes(other.workspaceID))
                // one bit of the signature flipped
                bytes[bytes.count - 1] ^= 1
                let flipped = Self.token(bytes)
                let pixelToken = String(pixel.dropFirst(5))
                let clickToken = String(click.dropFirst(5))
                var paths: [String] = ["/t/c/" + Self.token(forged), "/t/c/" + Self.token(moved), "/t/c/" + flipped]
                paths += [String(click.dropLast(3)), "/t/c/" + pixelToken, "/t/o/" + clickToken, "/t/o/not-a-token"]
                paths += ["/t/c/" + String(repeating: "A", count: 90), String(unsubscribe.dropLast(2))]
                paths += ["/u/" + pixelToken, String(preferences.dropLast(2))]
                let bad = paths
                try await app.test { client in
                    for path in bad {
                        let response = try await client.execute(
                            uri: path, method: .get, headers: [.userAgent: Self.browser, .accept: "text/html"])
                        #expect(response.status == .badRequest, "\(path)")
                        #expect(response.headers[.location] == nil)
                        #expect(!response.text.contains("evil.test"))
                    }
                    for path in [String(unsubscribe.dropLast(2)), String(preferences.dropLast(2))] {
                        let response = try await client.execute(
                            uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                            body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
                        #expect(response.status == .badRequest, "\(path)")
                    }
                    // signed by the server, but naming a message of another workspace: it leads where it was
                    // signed to, and records nothing in either
                    let elsewhere = try #require(
                        EmailTracking(app.services).clickURL(
                            workspaceID: other.workspaceID, outboxID: message.id, url: "https://acme.test/offer"))
                    let response = try await client.execute(
                        uri: String(elsewhere.dropFirst(Self.base.count)), method: .get,
                        headers: [.userAgent: Self.browser])
                    #expect(response.status == .found)
                }
                #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM email_tracking_hits") == 0)
                #expect(
                    try await Self.count(
                        app,
                        "SELECT COUNT(*) AS n FROM outbox WHERE opened_at IS NOT NULL OR clicked_at IS NOT NULL OR unsubscribed_at IS NOT NULL"
                    ) == 0)
                #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM email_suppressions") == 0)
                #expect(
                    try await Self.count(
                        app, "SELECT COUNT(*) AS n FROM events WHERE type <> 'email_sent' AND type LIKE 'email%'")
                        == 0)
            }
        }
    }

    @Test(
        "unsubscribing asks first, in the contact's language; the button or a one-click POST withdraws consent once and marks the message",
        arguments: Backend.allCases)
    func unsubscribe(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: Self.configure) { app in
                let sender = try await Sender.make(app, server: server)
                let sara = try await sender.contact("سارا", "sara@mail.test", language: "fa-IR")
                let ole = try await sender.contact("Ole", "ole@mail.test", language: "da")
                let template = try await sender.template("News")
                let (toSara, saraHTML) = try await sender.send(template, to: sara)
                let (toOle, oleHTML) = try await sender.send(template, to: ole)
                let saraLink = try Self.path("u", in: saraHTML)
                let oleLink = try Self.path("u", in: oleHTML)
                let consents = ConsentRepository(store: app.runtime.store)
                try await app.test { client in
                    // a scanner following the link changes nothing; the page is in Persian, right to left
                    let page = try await client.execute(uri: saraLink, method: .get, headers: [.acceptLanguage: "en"])
                    #expect(page.status == .ok)
                    #expect(page.text.contains(#"dir="rtl""#))
                    #expect(page.text.contains("لغو اشتراک"))
                    #expect(page.text.contains("sara@mail.test"))
                    // (only the consent given when the contact was made)
                    #expect(
                        try await consents.history(workspaceID: sender.workspaceID, contactID: sara.id).map(\.state)
                            == ["granted"])
                    let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                    let done = try await client.execute(
                        uri: saraLink, method: .post, headers: form, body: ByteBuffer(string: "confirm=1"))
                    #expect(done.status == .ok)
                    #expect(done.text.contains("دیگر ایمیل بازاریابی فرستاده نمی‌شود"))
                    #expect(done.text.contains(#"href="/p/"#))
                    // again: nothing more changes
                    _ = try await client.execute(
                        uri: saraLink, method: .post, headers: form, body: ByteBuffer(string: "confirm=1"))
                    // a mailbox provider's one-click (RFC 8058), answered in Danish
                    let oneClick = try await client.execute(
                        uri: oleLink, method: .post, headers: form,
                        body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
                    #expect(oneClick.status == .ok)
                    #expect(oneClick.text.contains(#"lang="da""#))
                }
                let saraChanges = try await consents.history(workspaceID: sender.workspaceID, contactID: sara.id)
                #expect(saraChanges.map(\.source) == ["unsubscribe_link", "admin"])
                #expect(saraChanges.map(\.state) == ["withdrawn", "granted"])
                let oleChanges = try await consents.history(workspaceID: sender.workspaceID, contactID: ole.id)
                #expect(oleChanges.map(\.source) == ["one_click", "admin"])
                let contacts = RecordService(app.services, schema: .contacts)
                #expect(
                    try await contacts.get(sender.principal.viewer, id: sara.id).string("email_consent")
                        == "unsubscribed")
                let outbox = OutboxRepository(store: app.runtime.store)
                for message in [toSara, toOle] {
                    let row = try #require(try await outbox.find(workspaceID: sender.workspaceID, id: message.id))
                    #expect(row.unsubscribedAt != nil)
                }
                let hits = try await TrackingRepository(store: app.runtime.store).hits(
                    workspaceID: sender.workspaceID, outboxID: toSara.id)
                #expect(hits.map(\.counted) == [true, false])
                #expect(hits.last?.flag == .repeatUnsubscribe)
                #expect(
                    try await Self.count(
                        app,
                        "SELECT COUNT(*) AS n FROM events WHERE type = 'email_unsubscribed' AND contact_id = \(bind: sara.id)"
                    ) == 1)
                let suppressions = EmailSettingsRepository(store: app.runtime.store)
                #expect(
                    try await suppressions.suppression(workspaceID: sender.workspaceID, address: "ole@mail.test")
                        == "unsubscribed")
            }
        }
    }

    @Test(
        "the preference centre keeps or drops a topic, and mail of a dropped topic is skipped at send; unsubscribe from all, then subscribe again",
        arguments: Backend.allCases)
    func preferenceCentre(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: Self.configure) { app in
                let sender = try await Sender.make(app, server: server)
                let topics = EmailTopicService(app.services)
                let news = try await topics.create(sender.principal, name: "Newsletter", description: "Once a month")
                let events = try await topics.create(sender.principal, name: "Events", description: nil)
                let ida = try await sender.contact("Ida", "ida@mail.test")
                let (_, html) = try await sender.send(try await sender.template("Welcome"), to: ida)
                let centre = try Self.path("p", in: html)
                try await app.test { client in
                    var page = try await client.execute(uri: centre, method: .get, headers: [.acceptLanguage: "uk"])
                    #expect(page.status == .ok)
                    #expect(page.text.contains("Налаштування листів"))
                    #expect(page.text.contains("Newsletter") && page.text.contains("Once a month"))
                    #expect(page.text.components(separatedBy: "checked").count == 3)
                    let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                    let saved = try await client.execute(
                        uri: centre, method: .post, headers: form, body: ByteBuffer(string: "topic=\(news.id)"))
                    #expect(saved.status == .seeOther)
                    page = try await client.execute(uri: try #require(saved.headers[.location]), method: .get)
                    #expect(page.text.contains("Your choices are saved."))
                    #expect(page.text.components(separatedBy: "checked").count == 2)
                }
                let history = try await TopicPreferenceRepository(store: app.runtime.store).history(
                    workspaceID: sender.workspaceID, contactID: ida.id)
                #expect(history.map(\.topicID) == [events.id])
                #expect(history.map(\.choice) == [.dropped])
                #expect(history.map(\.source) == ["preference_centre"])
                // at send time: the dropped topic's mail is skipped, the kept one's goes
                let (skipped, nothing) = try await sender.send(
                    try await sender.template("Meetup", topicID: events.id), to: ida)
                #expect(nothing == nil)
                #expect(skipped.state == .skipped)
                #expect(skipped.lastError == "The contact dropped the topic “Events”.")
                let (sent, _) = try await sender.send(try await sender.template("Monthly", topicID: news.id), to: ida)
                #expect(sent.state == .sent)

                let consents = ConsentRepository(store: app.runtime.store)
                let suppressions = EmailSettingsRepository(store: app.runtime.store)
                try await app.test { client in
                    let all = try await client.execute(uri: centre + "/unsubscribe", method: .post)
                    #expect(all.status == .seeOther)
                    #expect(
                        try await suppressions.suppression(workspaceID: sender.workspaceID, address: "ida@mail.test")
                            == "unsubscribed")
                    var page = try await client.execute(uri: try #require(all.headers[.location]), method: .get)
                    #expect(page.text.contains("You are unsubscribed from all our marketing email."))
                    #expect(page.text.contains(#"name="resubscribe""#))
                    let again = try await client.execute(
                        uri: centre, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "topic=\(news.id)&resubscribe=1"))
                    page = try await client.execute(uri: try #require(again.headers[.location]), method: .get)
                    #expect(page.text.contains("You are subscribed again."))
                }
                #expect(
                    try await consents.history(workspaceID: sender.workspaceID, contactID: ida.id).map(\.state) == [
                        "granted", "withdrawn", "granted",
                    ])
                #expect(
                    try await suppressions.suppression(workspaceID: sender.workspaceID, address: "ida@mail.test") == nil
                )
                // the contact's page shows what the contact chose
                try await app.test { client in
                    let jar = try await RecordPagesTests.signIn(client)
                    let page = try await jar.get(client, "/contacts/\(ida.id)")
                    #expect(page.text.contains(#"topic-dropped"><bdi>Events</bdi> · dropped"#))
                    #expect(page.text.contains(#"topic-kept"><bdi>Newsletter</bdi> · kept"#))
                }
            }
        }
    }
}

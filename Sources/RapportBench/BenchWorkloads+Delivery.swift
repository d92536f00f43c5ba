package import Foundation
import RapportCore
import RapportMail
import RapportServer
import RapportServices
import RapportStore

extension BenchWorkloads {
    /// A marketing template with what campaigns personalise: names with defaults, the company, custom fields, the
    /// sender and the unsubscribe link; the text part is made from the HTML.
    static let deliveryTemplate = TemplateService.Draft(
        name: "Bench newsletter \(RecordID.make().suffix(8))", kind: .marketing,
        subject: #"{{first_name | default: "Hello"}}, news for the {{custom.plan}} plan"#,
        html: .some(
            #"""
            <html><body>
            <h1>Hej {{first_name | default: "there"}}!</h1>
            <p>Here is what changed this month for {{company.name | default: "your team"}} on the
            <strong>{{custom.plan}}</strong> plan with {{custom.seats}} seats: faster lists, segments you can save,
            and campaigns that never mail anyone twice.</p>
            <ul><li>Segments: count and preview as you type</li><li>Campaigns: A/B tests of subject lines</li>
            <li>Delivery: a durable outbox with retries</li></ul>
            <p>Read more on <a href="https://rapport.example/blog/december">our blog</a>.</p>
            <p>Best wishes,<br>{{sender.name}}</p>
            <p style="font-size: small"><a href="{{unsubscribe_url}}">Unsubscribe</a></p>
            </body></html>
            """#), text: .some(nil))

    /// Renders a marketing template for `messages` of the generated contacts (newest first) and delivers each
    /// message through the outbox to Postfix on 127.0.0.1 (`BenchPostfix`, discarding everything) over
    /// `connections` SMTP sessions: each message rendered for its contact (`EmailService.values`), put in the
    /// outbox (`EmailService.enqueue`, one transaction each, as a campaign does), and sent by `EmailDelivery`
    /// runs (claims, the suppression check, MIME rendering, the send, the row marked sent with its timeline
    /// event), the runs beside the rendering as a second job worker would. The clock stops when every row is sent.
    /// Reference: the same messages, read back from the outbox and rendered to MIME before the clock starts, sent
    /// over the same number of sessions with `SMTPConnectionPool` alone (no database). Ratio: rate over the
    /// reference's rate.
    package func delivery(messages: Int, connections: Int, directory: URL) async throws -> [BenchResult] {
        let services = runtime.services
        guard let principal = try await services.tokens.authenticate(secret: info.token) else {
            throw RapportError(.badRequest, "bench delivery: the owner's token does not work.")
        }
        let postfix = try await BenchPostfix.start(in: directory)
        do {
            let results = try await delivery(
                messages: messages, connections: connections, principal: principal, postfix: postfix)
            await postfix.stop()
            return results
        } catch {
            await postfix.stop()
            throw error
        }
    }

    func delivery(messages: Int, connections: Int, principal: Principal, postfix: BenchPostfix) async throws
        -> [BenchResult]
    {
        let services = runtime.services
        let workspaceID = principal.workspace.id
        let viewer = principal.viewer
        _ = try await EmailSettingsService(services).put(
            principal,
            .init(
                host: "127.0.0.1", port: postfix.port, tls: "off", username: nil, password: nil,
                from: "news@bench.rapport.local", fromName: "Rapport Bench", replyTo: "help@bench.rapport.local"))
        let templates = TemplateService(services)
        let source = try await templates.source(try await templates.create(principal, Self.deliveryTemplate))
        let emails = EmailService(services)
        let contacts = RecordService(services, schema: .contacts)
        let outbox = OutboxRepository(store: runtime.store)
        let run = RecordID.make().suffix(8)
        let wanted = min(messages, info.contacts)

        // (rows of earlier runs on a kept database)
        let sentBefore = try await outbox.counts(workspaceID: workspaceID)[.sent] ?? 0
        // Rapport: render and enqueue each contact's message, while delivery runs send what is queued.
        let start = BenchClock.now()
        let enqueued = Flag()
        @Sendable func deliverAll() async throws {
            let deadline = BenchClock.now() + 3600
            while true {
                _ = try await EmailDelivery(services).run(workspaceID: workspaceID, owner: RecordID.make())
                let done = await enqueued.isSet
                let counts = try await outbox.counts(workspaceID: workspaceID)
                let waiting = (counts[.queued] ?? 0) + (counts[.sending] ?? 0) + (counts[.deferred] ?? 0)
                if done && waiting == 0 { return }
                guard BenchClock.now() < deadline else {
                    throw RapportError(.conflict, "bench delivery: rows still waiting after an hour: \(counts)")
                }
                if waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
        }
        async let delivered: Void = deliverAll()
        var after: RecordCursor?
        var rendered = 0
        while rendered < wanted {
            // (contacts who may get marketing mail: other workloads add some without consent)
            var consenting = ListQuery()
            consenting.filters = [
                .init(
                    target: .standard(name: "email_consent", kind: .choice(["subscribed", "unsubscribed", "unknown"])),
                    op: .equals, value: .string("subscribed"))
            ]
            let page = try await contacts.list(
                viewer, query: consenting, limit: min(500, wanted - rendered), after: after)
            if page.records.isEmpty { break }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var running = 0
                for contact in page.records {
                    if running >= 8 {
                        try await group.next()
                        running -= 1
                    }
                    running += 1
                    group.addTask {
                        guard let address = contact.string("email") else { return }
                        let unsubscribe = emails.unsubscribeURL(workspaceID: workspaceID, address: address)
                        let values = try await emails.values(
                            for: contact, viewer: viewer, sender: "Rapport Bench", unsubscribeURL: unsubscribe)
                        let name = [contact.string("first_name"), contact.string("last_name")].compactMap { $0 }
                            .joined(separator: " ")
                        try await emails.enqueue(
                            EmailService.Outgoing(
                                workspaceID: workspaceID, idempotencyKey: "bench:\(run):\(contact.id)",
                                kind: .marketing,
                                purpose: "bench", templateID: nil, contactID: contact.id, toAddress: address,
                                toName: name.isEmpty ? nil : name, rendered: try source.render(values),
                                unsubscribeURL: unsubscribe))
                    }
                }
                try await group.waitForAll()
            }
            rendered += page.records.count
            after = page.next
            if after == nil { break }
        }
        await enqueued.set()  // (every message is in the outbox: the delivery loop may stop once all are sent)
        try await delivered
        let elapsed = BenchClock.now() - start
        let peak = BenchClock.peakRSSMB()
        let counts = try await outbox.counts(workspaceID: workspaceID)
        let sent = (counts[.sent] ?? 0) - sentBefore
        guard sent == rendered else {
            throw RapportError(.conflict, "bench delivery: \(sent) of \(rendered) messages sent (\(counts)).")
        }

        // The reference: the same messages, rendered to MIME before its clock starts, over as many sessions.
        try await postfix.drain()
        guard let stored = try await EmailSettingsRepository(store: runtime.store).find(workspaceID: workspaceID) else {
            throw RapportError(.conflict, "bench delivery: the sender settings are gone.")
        }
        let settings = try EmailSettingsService(services).smtpSettings(stored)
        let tracking = EmailTracking(services)
        var mails: [(RenderedMail, String)] = []
        mails.reserveCapacity(sent)
        var before: (Int64, String)?
        while true {
            let rows = try await outbox.list(workspaceID: workspaceID, contactID: nil, limit: 1000, before: before)
            for row in rows where row.purpose == "bench" && row.idempotencyKey.hasPrefix("bench:\(run):") {
                var mail = MailMessage(
                    from: MailAddress("news@bench.rapport.local", name: "Rapport Bench"),
                    to: [MailAddress(row.toAddress, name: row.toName)], subject: row.subject, text: row.text,
                    html: row.html)
                mail.messageID = row.messageID
                mail.replyTo = [MailAddress("help@bench.rapport.local")]
                mail.listUnsubscribe = ListUnsubscribe(
                    mailto: EmailDelivery.unsubscribeMailto(
                        "news@bench.rapport.local",
                        token: tracking.unsubscribeToken(workspaceID: workspaceID, outboxID: row.id)),
                    url: row.unsubscribeURL,
                    oneClick: row.unsubscribeURL?.hasPrefix("https://") == true)
                mail.headers = [MailHeader("X-Rapport-Message", row.id)]
                mails.append((try mail.render(), row.toAddress))
            }
            guard rows.count == 1000, let last = rows.last else { break }
            before = (last.createdAt, last.id)
        }
        let pool = SMTPConnectionPool(settings: settings, size: connections)
        let referenceStart = BenchClock.now()
        let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
            var running = 0
            var accepted = 0
            for (mail, to) in mails {
                if running >= connections * 8 {
                    if try await group.next() == true { accepted += 1 }
                    running -= 1
                }
                running += 1
                group.addTask {
                    if case .accepted = try await pool.send(mail, envelopeFrom: "news@bench.rapport.local", to: [to]) {
                        return true
                    }
                    return false
                }
            }
            for try await ok in group where ok { accepted += 1 }
            return accepted
        }
        let referenceElapsed = BenchClock.now() - referenceStart
        await pool.close()
        guard accepted == mails.count else {
            throw RapportError(.conflict, "bench delivery: the reference sent \(accepted) of \(mails.count).")
        }
        var result = self.result("delivery", operations: sent, seconds: elapsed)
        result.peakRSSMB = peak
        result.against(perSecond: Double(mails.count) / referenceElapsed)
        return [result]
    }
}

/// A flag one task sets and another reads.
actor Flag {
    private(set) var isSet = false

    func set() {
        isSet = true
    }
}

import Foundation
import RapportCore
import RapportMailTestSupport
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Campaigns' send and winner jobs on SQLite and PostgreSQL, with a real SMTP server (aiosmtpd) where messages
/// are delivered: each member once however often the send runs, a render failure skipped with its reason,
/// cancelling, scheduling in the workspace's time zone, the A/B split and the winner rule.
@Suite("Campaign sending", .timeLimit(.minutes(5)))
struct CampaignSendTests {
    struct World {
        let app: TestApp
        let seeded: Seeded
        var principal: Principal { Principal(user: seeded.owner, workspace: seeded.workspace) }
        var workspaceID: String { seeded.workspace.id }
        var services: Services { app.services }
        var store: Store { app.runtime.store }

        static func make(_ app: TestApp, smtpPort: Int? = nil) async throws -> World {
            let world = World(app: app, seeded: try await Fixtures.workspace(app))
            if let smtpPort {
                _ = try await EmailSettingsService(app.services).put(
                    world.principal,
                    .init(
                        host: "127.0.0.1", port: smtpPort, tls: "off", username: nil, password: nil,
                        from: "news@acme.test", fromName: "Acme News", replyTo: nil))
            }
            return world
        }

        @discardableResult
        func contact(_ first: String?, email: String?, tags: [String] = ["news"]) async throws -> Record {
            // (marketing mail goes only to contacts who consented: every contact here did)
            var fields: [String: JSONValue] = [
                "tags": .array(tags.map(JSONValue.string)), "email_consent": .string("subscribed"),
            ]
            if let first { fields["first_name"] = .string(first) } else { fields["last_name"] = .string("Nameless") }
            if let email { fields["email"] = .string(email) }
            return try await RecordService(services, schema: .contacts).create(
                principal.viewer, fields: fields, actor: Actor(.user, id: seeded.owner.id))
        }

        func segment(_ query: String = #"tag = "news""#) async throws -> Segment {
            try await SegmentService(services).create(principal.viewer, name: "News \(UUID().uuidString)", query: query)
        }

        func template(subject: String = "Hello {{first_name}}") async throws -> StoredTemplate {
            try await TemplateService(services).create(
                principal,
                .init(
                    name: "News \(UUID().uuidString)", kind: .marketing, subject: subject,
                    html: #"<p>Dear {{first_name}},</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>"#))
        }

        func campaign(_ draft: CampaignService.Draft) async throws -> Campaign {
            try await CampaignService(services).create(principal, draft)
        }

        func rows(_ campaignID: String) async throws -> [OutboxMessage] {
            try await CampaignRepository(store: store).messages(
                workspaceID: workspaceID, campaignID: campaignID, state: nil, limit: 10_000, before: nil
            ).sorted { $0.id < $1.id }
        }

        func get(_ id: String) async throws -> Campaign {
            try await CampaignService(services).get(principal.viewer, id: id)
        }

        /// Runs the send job until it has nothing more to do now (each run as the job runner would).
        func runSend(_ id: String, sender: CampaignSender? = nil) async throws -> [NewJob] {
            var next = try await (sender ?? CampaignSender(services)).run(workspaceID: workspaceID, campaignID: id)
            var runs = 1
            while next.first?.kind == CampaignSender.sendKind, runs < 50 {
                next = try await (sender ?? CampaignSender(services)).run(workspaceID: workspaceID, campaignID: id)
                runs += 1
            }
            return next
        }

        func deliver() async throws {
            _ = try await EmailDelivery(services).run(workspaceID: workspaceID, owner: RecordID.make())
        }
    }

    @Test(
        "a send enqueues each member once, skips a render failure with its reason, and running it again changes nothing",
        arguments: Backend.allCases)
    func sendsOnce(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            // given five members (one without an address, one without a first name) and one outsider
            let world = try await World.make(app)
            let ana = try await world.contact("Ana", email: "ana@mail.test")
            let bo = try await world.contact("Bo", email: "bo@mail.test")
            try await world.contact("Оксана", email: "oksana@mail.test")
            let noAddress = try await world.contact("Emil", email: nil)
            let noName = try await world.contact(nil, email: "nameless@mail.test")
            try await world.contact("Outsider", email: "out@mail.test", tags: ["other"])
            let segment = try await world.segment()
            let template = try await world.template()
            let campaign = try await world.campaign(
                .init(name: "May news", segmentID: segment.id, templateID: template.id))
            #expect(campaign.status == .draft)
            // when it is sent and its job runs twice
            let sent = try await CampaignService(world.services).send(world.principal, id: campaign.id)
            #expect(sent.status == .sending)
            let job = try #require(
                try await JobQueue(store: world.store).unfinished(
                    workspaceID: world.workspaceID, dedupKey: "campaign:\(campaign.id)"))
            #expect(job.kind == CampaignSender.sendKind)
            _ = try await world.runSend(campaign.id)
            let first = try await world.rows(campaign.id)
            _ = try await world.runSend(campaign.id)
            let again = try await world.rows(campaign.id)
            // then every member has exactly one row, the same rows the second time
            #expect(first.count == 5)
            #expect(again.map(\.id) == first.map(\.id))
            #expect(Set(first.compactMap(\.contactID)).count == 5)
            let byContact = Dictionary(uniqueKeysWithValues: first.map { ($0.contactID!, $0) })
            #expect(byContact[ana.id]?.state == .queued)
            #expect(byContact[ana.id]?.subject == "Hello Ana")
            #expect(byContact[ana.id]?.idempotencyKey == "campaign:\(campaign.id):\(ana.id)")
            #expect(byContact[bo.id]?.html?.contains("/u/") == true)
            #expect(byContact[noAddress.id]?.state == .skipped)
            #expect(byContact[noAddress.id]?.lastError == "The contact has no email address.")
            #expect(byContact[noName.id]?.state == .skipped)
            #expect(
                byContact[noName.id]?.lastError
                    == "{{first_name}} has no value for this contact and no default (line 1, column 7).")
            let done = try await world.get(campaign.id)
            #expect(done.status == .sent)
            #expect(done.audience == 5)
            let report = try await CampaignService(world.services).report(world.principal.viewer, done)
            #expect(report.counts.queued == 3 && report.counts.skipped == 2 && report.counts.total == 5)
            #expect(report.reasons.count == 2)
        }
    }

    @Test(
        "a send stopped after a page resumes where it stopped, and gives each member one message",
        arguments: Backend.allCases)
    func resumes(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let world = try await World.make(app)
            for index in 0..<7 { try await world.contact("C\(index)", email: "c\(index)@mail.test") }
            let campaign = try await world.campaign(
                .init(name: "Pages", segmentID: try await world.segment().id, templateID: try await world.template().id)
            )
            _ = try await CampaignService(world.services).send(world.principal, id: campaign.id)
            // a run with no time left does one page of three and hands over to the next run
            let slow = CampaignSender(world.services, pageSize: 3, budget: .zero)
            let next = try await slow.run(workspaceID: world.workspaceID, campaignID: campaign.id)
            #expect(next.map(\.kind) == [CampaignSender.sendKind])
            #expect(try await world.rows(campaign.id).count == 3)
            #expect(try await world.get(campaign.id).status == .sending)
            // the same page enqueued again (a run that died before saving its place) changes nothing
            _ = try await world.runSend(campaign.id, sender: slow)
            let rows = try await world.rows(campaign.id)
            #expect(rows.count == 7)
            #expect(Set(rows.compactMap(\.contactID)).count == 7)
            #expect(try await world.get(campaign.id).status == .sent)
        }
    }

    @Test("cancelling skips what is still queued, keeps what was sent, and stops the send", arguments: Backend.allCases)
    func cancel(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, smtpPort: server.port)
                for index in 0..<6 { try await world.contact("C\(index)", email: "c\(index)@mail.test") }
                let campaign = try await world.campaign(
                    .init(
                        name: "Cancelled", segmentID: try await world.segment().id,
                        templateID: try await world.template().id))
                _ = try await CampaignService(world.services).send(world.principal, id: campaign.id)
                // the first page is enqueued and delivered, the second enqueued and waiting
                let slow = CampaignSender(world.services, pageSize: 2, budget: .zero)
                _ = try await slow.run(workspaceID: world.workspaceID, campaignID: campaign.id)
                try await world.deliver()
                _ = try await slow.run(workspaceID: world.workspaceID, campaignID: campaign.id)
                #expect(
                    try await world.rows(campaign.id).map(\.state).sorted { $0.rawValue < $1.rawValue } == [
                        .queued, .queued, .sent, .sent,
                    ])
                // when it is cancelled
                let cancelled = try await CampaignService(world.services).cancel(world.principal, id: campaign.id)
                #expect(cancelled.status == .cancelled)
                // (a message a running send put in the outbox while the cancel was written: the send's next check
                // skips it)
                var late = EmailService.Outgoing(
                    workspaceID: world.workspaceID, idempotencyKey: "campaign:\(campaign.id):late", kind: .marketing,
                    toAddress: "late@mail.test", rendered: RenderedTemplate(subject: "Late", html: nil, text: "Late"))
                late.campaignID = campaign.id
                _ = try await EmailService(world.services).enqueue(late)
                // then the queued are skipped as cancelled, the sent two stay sent, and no more are enqueued
                _ = try await world.runSend(campaign.id)
                let rows = try await world.rows(campaign.id)
                #expect(rows.count == 5)
                #expect(rows.filter { $0.state == .sent }.count == 2)
                #expect(
                    rows.filter { $0.state == .skipped }.allSatisfy { $0.lastError == "The campaign was cancelled." })
                #expect(rows.filter { $0.state == .skipped }.count == 3)
                try await world.deliver()
                #expect(try server.received().count == 2)
                #expect(
                    try await JobQueue(store: world.store).unfinished(
                        workspaceID: world.workspaceID, dedupKey: "campaign:\(campaign.id)") == nil)
                await #expect(throws: RapportError.self) {
                    _ = try await CampaignService(world.services).cancel(world.principal, id: campaign.id)
                }
            }
        }
    }

    @Test("a send time without an offset is the workspace's time; the send waits for it", arguments: Backend.allCases)
    func scheduled(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let world = try await World.make(app)
            try await world.store.database.raw(
                "UPDATE workspaces SET time_zone = 'Asia/Tehran' WHERE id = \(bind: world.workspaceID)"
            ).run()
            try await world.contact("Ana", email: "ana@mail.test")
            let campaign = try await world.campaign(
                .init(
                    name: "Nowruz", segmentID: try await world.segment().id, templateID: try await world.template().id,
                    sendAt: .some("2031-03-20T09:00")))
            // 9:00 in Tehran (+03:30) is 5:30 UTC
            let expected = Timestamp.fastMicros("2031-03-20T05:30:00Z")!
            #expect(campaign.sendAt == expected)
            let sent = try await CampaignService(world.services).send(world.principal, id: campaign.id)
            #expect(sent.status == .scheduled)
            let job = try #require(
                try await JobQueue(store: world.store).unfinished(
                    workspaceID: world.workspaceID, dedupKey: "campaign:\(campaign.id)"))
            #expect(job.dueAt == expected)
            // an offset is taken as given
            let other = try await world.campaign(
                .init(
                    name: "Offset", segmentID: try await world.segment().id, templateID: try await world.template().id,
                    sendAt: .some("2031-03-20T09:00:00+01:00")))
            #expect(other.sendAt == Timestamp.fastMicros("2031-03-20T08:00:00Z"))
            // when its time comes the job sends it
            _ = try await world.runSend(campaign.id)
            #expect(try await world.get(campaign.id).status == .sent)
            #expect(try await world.rows(campaign.id).count == 1)
        }
    }

    /// An A/B campaign of `members` members, sent, its test share enqueued.
    func abWorld(_ app: TestApp, port: Int, members: Int, share: Int, metric: WinnerMetric = .open) async throws -> (
        World, Campaign
    ) {
        let world = try await World.make(app, smtpPort: port)
        for index in 0..<members { try await world.contact("M\(index)", email: "m\(index)@mail.test") }
        let campaign = try await world.campaign(
            .init(
                name: "Subjects", segmentID: try await world.segment().id, templateID: try await world.template().id,
                variants: [.init(subject: "A: {{first_name}}, news"), .init(subject: "B: big news, {{first_name}}")],
                testShare: share, winnerMetric: metric, winnerWaitMinutes: 60, defaultVariant: "A"))
        _ = try await CampaignService(world.services).send(world.principal, id: campaign.id)
        return (world, campaign)
    }

    @Test(
        "an A/B test sends its share split evenly at random, the same on every run, and the rest waits",
        arguments: Backend.allCases)
    func abSplit(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let (world, campaign) = try await abWorld(app, port: server.port, members: 41, share: 50)
                let next = try await world.runSend(campaign.id)
                // then half (21 of 41) get the test, 10 or 11 of each variant, and the winner's decision waits an hour
                let rows = try await world.rows(campaign.id)
                #expect(rows.count == 21)
                let a = rows.filter { $0.variant == "A" }
                let b = rows.filter { $0.variant == "B" }
                #expect(a.count + b.count == 21 && abs(a.count - b.count) <= 1)
                #expect(a.allSatisfy { $0.subject.hasPrefix("A: ") } && b.allSatisfy { $0.subject.hasPrefix("B: ") })
                let testing = try await world.get(campaign.id)
                #expect(testing.status == .testing)
                #expect(next.map(\.kind) == [CampaignSender.winnerKind])
                #expect(next.first?.dueAt == testing.winnerDueAt)
                // the group is the split the campaign's seed gives
                let members = try await RecordService(world.services, schema: .contacts).list(
                    world.principal.viewer, query: ListQuery(), limit: 100, after: nil
                ).records.map(\.id)
                let group = ABSplit.assign(members, seed: testing.seed, share: 50, variants: 2)
                #expect(Set(rows.compactMap(\.contactID)) == Set(group.keys))
                // a second run of the send (a job taken again) changes nothing
                _ = try await CampaignSender(world.services).run(
                    workspaceID: world.workspaceID, campaignID: campaign.id)
                #expect(try await world.rows(campaign.id).map(\.id) == rows.map(\.id))
            }
        }
    }

    /// Marks the first `count` sent messages of a variant as opened (what tracking records).
    func open(_ world: World, _ campaignID: String, variant: String, count: Int) async throws {
        let rows = try await world.rows(campaignID).filter { $0.variant == variant && $0.state == .sent }
        let outbox = OutboxRepository(store: world.store)
        for row in rows.prefix(count) {
            _ = try await world.store.transaction { database in
                try await outbox.recordFirst(
                    .opened, workspaceID: world.workspaceID, id: row.id, at: Timestamp.micros(Date()), on: database)
            }
        }
    }

    @Test(
        "a significant winner goes to the rest, each member still once; the messages reach the SMTP server",
        arguments: Backend.allCases)
    func significantWinner(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let (world, campaign) = try await abWorld(app, port: server.port, members: 40, share: 50)
                _ = try await world.runSend(campaign.id)
                try await world.deliver()
                #expect(try server.received().count == 20)
                // B's ten all opened, A's none: z = 4.47
                try await open(world, campaign.id, variant: "B", count: 10)
                let next = try await CampaignSender(world.services).decide(
                    workspaceID: world.workspaceID, campaignID: campaign.id)
                let decided = try await world.get(campaign.id)
                #expect(decided.winnerVariant == "B" && decided.winnerReason == .significant)
                #expect(decided.status == .sending)
                #expect(next.map(\.kind) == [CampaignSender.sendKind])
                _ = try await world.runSend(campaign.id)
                let rows = try await world.rows(campaign.id)
                #expect(rows.count == 40 && Set(rows.compactMap(\.contactID)).count == 40)
                #expect(rows.filter { $0.variant == "B" }.count == 30)
                #expect(try await world.get(campaign.id).status == .sent)
                try await world.deliver()
                let received = try server.received()
                #expect(received.count == 40)
                #expect(Set(received.flatMap(\.rcptTos)).count == 40)
                let subject = try #require(received.last?.message.value("Subject"))
                #expect(subject.hasPrefix("A: ") || subject.hasPrefix("B: "))
                #expect(received.allSatisfy { $0.message.value("List-Unsubscribe") != nil })
                // the report: B's rate and interval, significant
                let report = try await CampaignService(world.services).report(world.principal.viewer, decided)
                #expect(report.outcome?.best == "B" && report.outcome?.significant == true)
                #expect(report.variants.first { $0.variant.key == "B" }?.result.rate == 1)
            }
        }
    }

    @Test("not significant: the variant a user chose goes, else the default", arguments: Backend.allCases)
    func notSignificant(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let (world, chosen) = try await abWorld(app, port: server.port, members: 20, share: 100)
                _ = try await world.runSend(chosen.id)
                try await world.deliver()
                // A 5 of 10 opened, B 4 of 10: p = 0.65
                try await open(world, chosen.id, variant: "A", count: 5)
                try await open(world, chosen.id, variant: "B", count: 4)
                // a choice names a variant the campaign has
                await #expect(throws: RapportError.self) {
                    _ = try await CampaignService(world.services).chooseWinner(
                        world.principal, id: chosen.id, variant: "C")
                }
                _ = try await CampaignService(world.services).chooseWinner(world.principal, id: chosen.id, variant: "B")
                _ = try await CampaignSender(world.services).decide(
                    workspaceID: world.workspaceID, campaignID: chosen.id)
                let decided = try await world.get(chosen.id)
                #expect(decided.winnerVariant == "B" && decided.winnerReason == .chosen)
                // the whole segment was the test: nothing left for the rest
                #expect(decided.status == .sent)
                await #expect(throws: RapportError.self) {
                    _ = try await CampaignService(world.services).chooseWinner(
                        world.principal, id: chosen.id, variant: "A")
                }

                // the same figures without a choice: the default
                let other = try await world.campaign(
                    .init(
                        name: "Default", segmentID: decided.segmentID, templateID: decided.templateID,
                        variants: [.init(subject: "One"), .init(subject: "Two")], testShare: 100,
                        winnerWaitMinutes: 5, defaultVariant: "B"))
                _ = try await CampaignService(world.services).send(world.principal, id: other.id)
                _ = try await world.runSend(other.id)
                try await world.deliver()
                try await open(world, other.id, variant: "A", count: 5)
                try await open(world, other.id, variant: "B", count: 4)
                _ = try await CampaignSender(world.services).decide(
                    workspaceID: world.workspaceID, campaignID: other.id)
                let fallback = try await world.get(other.id)
                #expect(fallback.winnerVariant == "B" && fallback.winnerReason == .default)
            }
        }
    }

    @Test("a campaign whose creator is deactivated stops, saying why", arguments: [Backend.sqlite])
    func creatorGone(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let world = try await World.make(app)
            let (admin, _) = try await Fixtures.user(app, in: world.seeded, email: "admin@acme.test", role: .admin)
            let adminPrincipal = Principal(user: admin, workspace: world.seeded.workspace)
            try await world.contact("Ana", email: "ana@mail.test")
            let campaign = try await CampaignService(world.services).create(
                adminPrincipal,
                .init(
                    name: "Admin's", segmentID: try await world.segment().id, templateID: try await world.template().id)
            )
            _ = try await CampaignService(world.services).send(adminPrincipal, id: campaign.id)
            _ = try await AccountService(world.services).setActive(admin.id, false, by: world.principal)
            _ = try await world.runSend(campaign.id)
            let failed = try await world.get(campaign.id)
            #expect(failed.status == .failed)
            #expect(failed.problem?.contains("deactivated") == true)
            #expect(try await world.rows(campaign.id).isEmpty)
        }
    }
}

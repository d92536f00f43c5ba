import Foundation
import Logging
import RapportCore
package import RapportStore

/// Sends campaigns, as two jobs:
///
/// - `campaign_send` (one per campaign, by its dedup key) reads the segment's members live, with the visibility of
///   the campaign's creator, a page at a time, renders the template for each and puts one message per contact in
///   the outbox under the key `campaign:{campaign}:{contact}`. A contact without an address, or for whom a
///   placeholder has no value and no default, gets a `skipped` row with the reason, and the send goes on. The
///   members' cursor is saved after each page, and a run stops after `budget` and continues in a new job; a run
///   that dies is taken again by the job queue and resumes at the last saved page, and the keys make every
///   contact's message exactly one, whatever runs twice. An A/B test first enqueues its test share (the random
///   split of `ABSplit`, the same on every run), then waits.
/// - `campaign_winner`, at the chosen time, counts the variants' opens or clicks, decides the winner
///   (`WinnerRule`) and sends the rest with it.
///
/// Every page first reads the campaign's status: a cancelled campaign enqueues nothing more.
package struct CampaignSender: Sendable {
    package static let sendKind = "campaign_send"
    package static let winnerKind = "campaign_winner"
    /// The reason a cancelled campaign's unsent messages carry.
    package static let cancelledReason = "The campaign was cancelled."

    let services: Services
    /// Members read at a time.
    let pageSize: Int
    /// How long one run enqueues before it hands over to the next (well inside the job's five-minute lease).
    let budget: Duration
    /// Messages rendered and enqueued at once.
    static let width = 8

    package init(_ services: Services, pageSize: Int = 200, budget: Duration = .seconds(50)) {
        self.services = services
        self.pageSize = pageSize
        self.budget = budget
    }

    static func sendKey(_ campaignID: String) -> String { "campaign:\(campaignID)" }
    static func winnerKey(_ campaignID: String) -> String { "campaign_winner:\(campaignID)" }

    /// The send job of a campaign, due at `at`.
    package static func sendJob(workspaceID: String, campaignID: String, at: Int64) -> NewJob {
        NewJob(
            workspaceID: workspaceID, kind: sendKind, payload: .object(["campaign_id": .string(campaignID)]), dueAt: at,
            maxAttempts: 10, dedupKey: sendKey(campaignID))
    }

    /// The job that decides a test's winner, due at `at`.
    package static func winnerJob(workspaceID: String, campaignID: String, at: Int64) -> NewJob {
        NewJob(
            workspaceID: workspaceID, kind: winnerKind, payload: .object(["campaign_id": .string(campaignID)]),
            dueAt: at, maxAttempts: 10, dedupKey: winnerKey(campaignID))
    }

    /// The handlers the job runner sends campaigns with.
    package static func handlers(_ services: Services) -> [JobHandler] {
        [
            JobHandler(kind: sendKind) { context in
                let (workspaceID, id) = try campaign(of: context)
                return try await CampaignSender(services).run(workspaceID: workspaceID, campaignID: id)
            },
            JobHandler(kind: winnerKind) { context in
                let (workspaceID, id) = try campaign(of: context)
                return try await CampaignSender(services).decide(workspaceID: workspaceID, campaignID: id)
            },
        ]
    }

    /// The workspace and campaign a job names.
    static func campaign(of context: JobContext) throws -> (String, String) {
        guard let workspaceID = context.workspaceID, case .object(let payload) = context.job.payload,
            case .string(let id)? = payload["campaign_id"]
        else { throw RapportError(.invalid, "A campaign job names no workspace or campaign.") }
        return (workspaceID, id)
    }

    /// Why a campaign cannot go on, as its page says (and which field of it is at fault).
    struct Stop: Error {
        var field: String
        var reason: String
    }

    var repository: CampaignRepository { CampaignRepository(store: services.store) }

    // MARK: Sending

    /// One run of a campaign's send: from where the last run stopped, until the members are all enqueued (or the
    /// test share is, for a test), or `budget` has passed.
    /// - Returns: the next job: this send again when it stopped for time, the winner's decision after a test.
    package func run(
        workspaceID: String, campaignID: String,
        now clock: @escaping @Sendable () -> Int64 = {
            Timestamp.micros(Date())
        }
    ) async throws -> [NewJob] {
        let started = clock()
        guard var campaign = try await repository.find(workspaceID: workspaceID, id: campaignID) else { return [] }
        guard [.scheduled, .sending].contains(campaign.status) else {
            // (a run of a cancelled campaign skips what a run before it enqueued as the cancel was written)
            if campaign.status == .cancelled { _ = try await stillSending(workspaceID: workspaceID, id: campaignID) }
            return []
        }
        if campaign.status == .scheduled {
            guard
                try await repository.advance(
                    workspaceID: workspaceID, id: campaignID, from: [.scheduled], to: .sending,
                    .init(startedAt: started), now: started)
            else { return [] }
            campaign.status = .sending
        }
        let viewer: Viewer
        let selection: SegmentSelection
        let renderers: Renderers
        do {
            viewer = try await creator(campaign)
            do {
                selection = try await SegmentService(services).selection(viewer, id: campaign.segmentID)
            } catch let error as RapportError where [.notFound, .invalid, .forbidden].contains(error.code) {
                throw Stop(field: "segment_id", reason: "The segment cannot be used: \(error.detail)")
            }
            renderers = try await self.renderers(campaign)
        } catch let stop as Stop {
            try await fail(campaign, stop.reason, now: clock())
            return []
        }
        let contacts = RecordService(services, schema: .contacts)
        var query = ListQuery()
        query.segment = selection
        let progress = try await repository.progress(workspaceID: workspaceID, id: campaignID)
        var phase = progress.phase ?? (campaign.isTest ? Phase.test : Phase.all)
        if progress.phase == nil {
            let audience = try await contacts.count(viewer, query: query)
            try await repository.advance(
                workspaceID: workspaceID, id: campaignID, from: [.sending], to: nil,
                .init(phase: .some(phase), audience: audience, startedAt: started), now: clock())
        }
        var cursor = progress.cursor.flatMap(Self.decodeCursor)
        if phase == Phase.wait || phase == Phase.done { return [] }
        // the test group (for every run of the test phase, the same)
        var group: [String: Int]?
        if phase == Phase.test {
            var ids: [String] = []
            var after: RecordCursor?
            repeat {
                let page = try await contacts.list(viewer, query: query, limit: 1000, after: after)
                ids += page.records.map(\.id)
                after = page.next
            } while after != nil
            group = ABSplit.assign(
                ids, seed: campaign.seed, share: campaign.testShare, variants: campaign.variants.count)
        }
        let winner = campaign.winnerVariant
        while true {
            guard try await stillSending(workspaceID: workspaceID, id: campaignID) else { return [] }
            let page = try await contacts.list(viewer, query: query, limit: pageSize, after: cursor)
            var batch: [(Record, String?)] = []
            for record in page.records {
                switch phase {
                case Phase.test:
                    if let index = group?[record.id] { batch.append((record, campaign.variants[index].key)) }
                case Phase.rest: batch.append((record, winner))
                default: batch.append((record, nil))
                }
            }
            try await enqueue(
                batch, purpose: Self.purpose(phase), campaign: campaign, viewer: viewer, renderers: renderers)
            guard try await stillSending(workspaceID: workspaceID, id: campaignID) else { return [] }
            cursor = page.next
            if cursor == nil { break }
            try await repository.advance(
                workspaceID: workspaceID, id: campaignID, from: [.sending], to: nil,
                .init(cursor: .some(Self.encodeCursor(cursor!))), now: clock())
            if clock() - started >= Self.micros(budget) {
                return [Self.sendJob(workspaceID: workspaceID, campaignID: campaignID, at: clock())]
            }
        }
        let now = clock()
        if phase == Phase.test {
            let due = now + Int64(campaign.winnerWaitMinutes) * 60_000_000
            phase = Phase.wait
            guard
                try await repository.advance(
                    workspaceID: workspaceID, id: campaignID, from: [.sending], to: .testing,
                    .init(winnerDueAt: due, phase: .some(phase), cursor: .some(nil)), now: now)
            else { return [] }
            return [Self.winnerJob(workspaceID: workspaceID, campaignID: campaignID, at: due)]
        }
        try await repository.advance(
            workspaceID: workspaceID, id: campaignID, from: [.sending], to: .sent,
            .init(phase: .some(Phase.done), cursor: .some(nil), finishedAt: now), now: now)
        return []
    }

    /// The outbox `purpose` of a phase's messages: an A/B test's own messages and the rest's are told apart, so
    /// that the test is judged on its own share.
    static func purpose(_ phase: String) -> String {
        switch phase {
        case Phase.test: CampaignRepository.testPurpose
        case Phase.rest: CampaignRepository.restPurpose
        default: "campaign"
        }
    }

    /// The phases of a send: `all` (no test), `test` (the test share), `wait` (for the winner), `rest` (the
    /// winner to everyone else), `done`.
    enum Phase {
        static let all = "all"
        static let test = "test"
        static let wait = "wait"
        static let rest = "rest"
        static let done = "done"
    }

    /// Decides a test's winner on the figures now and sends the rest with it (a test of the whole segment has
    /// no rest: it is then done).
    package func decide(
        workspaceID: String, campaignID: String,
        now clock: @escaping @Sendable () -> Int64 = {
            Timestamp.micros(Date())
        }
    ) async throws -> [NewJob] {
        guard let campaign = try await repository.find(workspaceID: workspaceID, id: campaignID),
            campaign.status == .testing
        else { return [] }
        let counts = try await repository.counts(workspaceID: workspaceID, campaignID: campaignID)
        let results = campaign.variants.map {
            let figures = counts[$0.key] ?? CampaignCounts()
            return VariantResult(key: $0.key, sent: figures.sent, successes: figures.successes(campaign.winnerMetric))
        }
        let decision = WinnerRule.decide(
            results, chosen: campaign.chosenVariant, defaultVariant: campaign.defaultVariant)
        let now = clock()
        let done = campaign.testShare >= 100
        guard
            try await repository.advance(
                workspaceID: workspaceID, id: campaignID, from: [.testing], to: done ? .sent : .sending,
                .init(
                    winnerVariant: decision.variant, winnerReason: decision.reason,
                    phase: .some(done ? Phase.done : Phase.rest), cursor: .some(nil), finishedAt: done ? now : nil),
                now: now)
        else { return [] }
        return done ? [] : [Self.sendJob(workspaceID: workspaceID, campaignID: campaignID, at: now)]
    }

    // MARK: Parts

    /// The campaign's creator as a viewer: the send reads the segment with their visibility.
    /// - Throws: `Stop` when the creator's account is gone or deactivated.
    func creator(_ campaign: Campaign) async throws -> Viewer {
        guard let userID = campaign.createdBy,
            let user = try await services.accounts.user(workspaceID: campaign.workspaceID, id: userID),
            user.deactivatedAt == nil,
            let workspace = try await services.accounts.workspace(id: campaign.workspaceID)
        else {
            throw Stop(
                field: "created_by",
                reason: "The campaign's creator can no longer send: their account is deactivated or removed.")
        }
        return Viewer(try await services.accounts.principal(user, workspace: workspace))
    }

    /// The creator's name, the sender's name in `{{sender.name}}`.
    func creatorName(_ campaign: Campaign) async throws -> String {
        guard let userID = campaign.createdBy else { return "" }
        return try await services.accounts.user(workspaceID: campaign.workspaceID, id: userID)?.name ?? ""
    }

    /// A parsed template per variant (the key `""` for a campaign without variants).
    struct Renderers: Sendable {
        struct Renderer: Sendable {
            let source: EmailTemplateSource
            let templateID: String
        }
        let byVariant: [String: Renderer]
        let sender: String
    }

    /// The campaign's template, and each variant's subject and template, parsed and checked.
    /// - Throws: `Stop` for a template deleted or no longer valid.
    func renderers(_ campaign: Campaign) async throws -> Renderers {
        let templates = TemplateRepository(store: services.store)
        let service = TemplateService(services)
        func renderer(templateID: String, subject: String?, field: String) async throws -> Renderers.Renderer {
            guard var template = try await templates.find(workspaceID: campaign.workspaceID, id: templateID) else {
                throw Stop(field: field, reason: "The campaign's template was deleted.")
            }
            if let subject { template.subject = subject }
            do {
                return .init(source: try await service.source(template), templateID: template.id)
            } catch let error as RapportError where error.code == .invalid {
                throw Stop(
                    field: field,
                    reason: "The template “\(template.name)” cannot be used: "
                        + error.fields.map { "\($0.field): \($0.message)" }.joined(separator: " "))
            }
        }
        var byVariant: [String: Renderers.Renderer] = [:]
        if campaign.variants.isEmpty {
            byVariant[""] = try await renderer(templateID: campaign.templateID, subject: nil, field: "template_id")
        }
        for (index, variant) in campaign.variants.enumerated() {
            byVariant[variant.key] = try await renderer(
                templateID: variant.templateID ?? campaign.templateID, subject: variant.subject,
                field: "variants[\(index)]")
        }
        return Renderers(byVariant: byVariant, sender: try await creatorName(campaign))
    }

    /// Renders and enqueues a page of members (each with its variant), several at once; members who already have
    /// their message are passed over.
    func enqueue(
        _ batch: [(Record, String?)], purpose: String, campaign: Campaign, viewer: Viewer, renderers: Renderers
    ) async throws {
        guard !batch.isEmpty else { return }
        let keys = batch.map { Campaign.messageKey(campaignID: campaign.id, contactID: $0.0.id) }
        let existing = try await repository.existingKeys(workspaceID: campaign.workspaceID, keys: keys)
        let todo = batch.filter { !existing.contains(Campaign.messageKey(campaignID: campaign.id, contactID: $0.0.id)) }
        for chunk in todo.chunks(of: Self.width) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (contact, variant) in chunk {
                    group.addTask {
                        try await message(
                            to: contact, variant: variant, purpose: purpose, campaign: campaign, viewer: viewer,
                            renderers: renderers)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// One member's message: rendered and enqueued, or a `skipped` row saying why not.
    func message(
        to contact: Record, variant: String?, purpose: String, campaign: Campaign, viewer: Viewer,
        renderers: Renderers
    ) async throws {
        guard let renderer = renderers.byVariant[variant ?? ""] else { return }
        let emails = EmailService(services)
        let key = Campaign.messageKey(campaignID: campaign.id, contactID: contact.id)
        let name = [contact.string("first_name"), contact.string("last_name")].compactMap { $0 }.joined(separator: " ")
        guard let address = contact.string("email"), EmailSettingsService.isAddress(address) else {
            try await skip(
                key: key, contact: contact, address: contact.string("email") ?? "", name: name, variant: variant,
                purpose: purpose, campaign: campaign, renderer: renderer, reason: "The contact has no email address.")
            return
        }
        let unsubscribe =
            renderer.source.kind == .marketing
            ? emails.unsubscribeURL(workspaceID: campaign.workspaceID, address: address) : nil
        let values = try await emails.values(
            for: contact, viewer: viewer, sender: renderers.sender, unsubscribeURL: unsubscribe)
        let rendered: RenderedTemplate
        do {
            rendered = try renderer.source.render(values)
        } catch {
            try await skip(
                key: key, contact: contact, address: address, name: name, variant: variant, purpose: purpose,
                campaign: campaign, renderer: renderer, reason: "\(error).")
            return
        }
        var outgoing = EmailService.Outgoing(
            workspaceID: campaign.workspaceID, idempotencyKey: key, kind: renderer.source.kind, purpose: purpose,
            templateID: renderer.templateID, contactID: contact.id, toAddress: address,
            toName: name.isEmpty ? nil : name, rendered: rendered, unsubscribeURL: unsubscribe)
        outgoing.campaignID = campaign.id
        outgoing.variant = variant
        try await emails.enqueue(outgoing)
    }

    /// A `skipped` outbox row for a member who gets no message, with the reason the campaign's page shows.
    func skip(
        key: String, contact: Record, address: String, name: String, variant: String?, purpose: String,
        campaign: Campaign, renderer: Renderers.Renderer, reason: String
    ) async throws {
        let now = Timestamp.micros(Date())
        let row = OutboxMessage(
            workspaceID: campaign.workspaceID, id: RecordID.make(), idempotencyKey: key, kind: renderer.source.kind,
            purpose: purpose, templateID: renderer.templateID, contactID: contact.id,
            toAddress: address.lowercased(), toName: name.isEmpty ? nil : name, subject: "", html: nil, text: "",
            unsubscribeURL: nil, state: .skipped, attempts: 0, nextAttemptAt: now, lastError: reason,
            messageID: "\(EmailService.randomHex(16))@rapport.invalid", campaignID: campaign.id, variant: variant,
            createdAt: now)
        let outbox = OutboxRepository(store: services.store)
        _ = try await services.store.transaction { database in try await outbox.insert(row, on: database) }
    }

    /// Whether the campaign is still sending (a cancel stops a run at its next page). When it was cancelled, the
    /// messages of a page enqueued while the cancel was being written are skipped too.
    func stillSending(workspaceID: String, id: String) async throws -> Bool {
        let status = try await repository.find(workspaceID: workspaceID, id: id)?.status
        if status == .cancelled {
            let repository = self.repository
            _ = try await services.store.transaction { database in
                try await repository.skipUnsent(
                    workspaceID: workspaceID, campaignID: id, reason: Self.cancelledReason, on: database)
            }
        }
        return status == .sending
    }

    /// Stops a campaign that cannot go on, saying why.
    func fail(_ campaign: Campaign, _ reason: String, now: Int64) async throws {
        try await repository.advance(
            workspaceID: campaign.workspaceID, id: campaign.id, from: [.scheduled, .sending, .testing], to: .failed,
            .init(problem: reason, finishedAt: now), now: now)
    }

    static func encodeCursor(_ cursor: RecordCursor) -> String {
        (try? JSONEncoder().encode(cursor)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func decodeCursor(_ text: String) -> RecordCursor? {
        try? JSONDecoder().decode(RecordCursor.self, from: Data(text.utf8))
    }

    static func micros(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

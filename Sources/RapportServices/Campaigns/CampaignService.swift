package import Foundation
package import RapportCore
import RapportStore

/// Campaigns: one template sent to a segment, now or at a set time (read in the workspace's time zone), and A/B
/// tests of two to four variants whose winner goes to the rest of the segment. Everyone in the workspace reads
/// campaigns and their figures; owners and admins make, send, cancel them and choose a winner
/// (`Access.manageCampaigns`). The sending itself is `CampaignSender`'s jobs.
package struct CampaignService: Sendable {
    let services: Services
    var repository: CampaignRepository { CampaignRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// What a create or a change says; nil members are left as they are.
    package struct Draft: Sendable {
        package var name: String?
        package var segmentID: String?
        package var templateID: String?
        /// `.some(nil)` clears the time (send as soon as it is sent).
        package var sendAt: String??
        package var variants: [VariantDraft]?
        package var testShare: Int?
        package var winnerMetric: WinnerMetric?
        package var winnerWaitMinutes: Int?
        package var defaultVariant: String?

        package init(
            name: String? = nil, segmentID: String? = nil, templateID: String? = nil, sendAt: String?? = nil,
            variants: [VariantDraft]? = nil, testShare: Int? = nil, winnerMetric: WinnerMetric? = nil,
            winnerWaitMinutes: Int? = nil, defaultVariant: String? = nil
        ) {
            self.name = name
            self.segmentID = segmentID
            self.templateID = templateID
            self.sendAt = sendAt
            self.variants = variants
            self.testShare = testShare
            self.winnerMetric = winnerMetric
            self.winnerWaitMinutes = winnerWaitMinutes
            self.defaultVariant = defaultVariant
        }
    }

    /// One variant as written: its own subject and/or template (nil or blank keeps the campaign's).
    package struct VariantDraft: Sendable, Equatable {
        package var subject: String?
        package var templateID: String?

        package init(subject: String? = nil, templateID: String? = nil) {
            self.subject = subject
            self.templateID = templateID
        }
    }

    // MARK: Reading

    /// The workspace's campaigns, newest first.
    package func list(_ viewer: Viewer, limit: Int = 50, after: PageKey? = nil) async throws -> Page<Campaign> {
        try await repository.list(workspaceID: viewer.workspaceID, limit: limit, after: after)
    }

    /// - Throws: `notFound` (also for another workspace's id).
    package func get(_ viewer: Viewer, id: String) async throws -> Campaign {
        guard let campaign = try await repository.find(workspaceID: viewer.workspaceID, id: id) else {
            throw RapportError.notFound("The campaign")
        }
        return campaign
    }

    /// The workspace's time zone, in which a `send_at` without an offset is read.
    package func timeZone(workspaceID: String) async throws -> TimeZone {
        TimeZone(identifier: try await timeZoneName(workspaceID: workspaceID)) ?? TimeZone(identifier: "UTC")!
    }

    /// The workspace's time zone's IANA name (`Europe/Copenhagen`, `UTC`).
    package func timeZoneName(workspaceID: String) async throws -> String {
        try await repository.timeZone(workspaceID: workspaceID)
    }

    /// A campaign's figures: all its messages, each variant's, the test's outcome on the figures so far, and why
    /// messages were not sent or wait.
    package struct Report: Sendable {
        package struct Variant: Sendable {
            package var variant: CampaignVariant
            package var counts: CampaignCounts
            /// Of the test's metric: the messages sent and how many were opened (or clicked).
            package var result: VariantResult
        }

        package var campaign: Campaign
        package var counts: CampaignCounts
        /// An A/B test's own messages per variant (the rest's are in `rest`).
        package var variants: [Variant]
        /// The messages the winner sent to the rest of the segment; nil for a campaign that is not a test.
        package var rest: CampaignCounts?
        /// For an A/B test, on the figures as they are now.
        package var outcome: TestOutcome?
        package var reasons: [(state: OutboxState, reason: String, count: Int)]
        package var timeZone: String
    }

    /// The figures of a campaign.
    package func report(_ viewer: Viewer, _ campaign: Campaign) async throws -> Report {
        try await reports(viewer, [campaign])[0]
    }

    /// The figures of several campaigns (a list page), in their order.
    package func reports(_ viewer: Viewer, _ campaigns: [Campaign]) async throws -> [Report] {
        let ids = campaigns.map(\.id)
        let counts = try await repository.counts(workspaceID: viewer.workspaceID, campaignIDs: ids)
        let reasons = try await repository.reasons(workspaceID: viewer.workspaceID, campaignIDs: ids)
        let zone = try await repository.timeZone(workspaceID: viewer.workspaceID)
        return campaigns.map { campaign in
            let byVariant = counts[campaign.id] ?? [:]
            var total = CampaignCounts()
            for figures in byVariant.values { total.add(figures) }
            let variants = campaign.variants.map { variant in
                let figures = byVariant[variant.key] ?? CampaignCounts()
                return Report.Variant(
                    variant: variant, counts: figures,
                    result: VariantResult(
                        key: variant.key, sent: figures.sent, successes: figures.successes(campaign.winnerMetric)))
            }
            return Report(
                campaign: campaign, counts: total, variants: variants,
                rest: campaign.isTest ? byVariant[CampaignRepository.restBucket] ?? CampaignCounts() : nil,
                outcome: campaign.isTest ? WinnerRule.outcome(variants.map(\.result)) : nil,
                reasons: reasons[campaign.id] ?? [], timeZone: zone)
        }
    }

    /// The campaign's messages, newest first; owners and admins only (they name recipients).
    /// - Throws: `forbidden`; `notFound`.
    package func messages(
        _ principal: Principal, id: String, state: OutboxState?, limit: Int, before: PageKey?
    ) async throws -> [OutboxMessage] {
        let campaign = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        return try await repository.messages(
            workspaceID: campaign.workspaceID, campaignID: campaign.id, state: state, limit: limit, before: before)
    }

    // MARK: Writing

    /// Saves a new draft.
    /// - Throws: `forbidden`; `invalid` naming each bad field.
    package func create(_ principal: Principal, _ draft: Draft, now: Int64 = Timestamp.micros(Date())) async throws
        -> Campaign
    {
        try Access(principal).require(.manageCampaigns)
        var generator = SystemRandomNumberGenerator()
        var campaign = Campaign(
            workspaceID: principal.workspace.id, id: RecordID.make(), name: "", segmentID: "", templateID: "",
            seed: generator.next(), createdBy: principal.user.id, createdAt: now, updatedAt: now)
        var issues: [FieldIssue] = []
        for (field, value) in [("segment_id", draft.segmentID), ("template_id", draft.templateID)] where value == nil {
            issues.append(FieldIssue(field, key: "campaign_required", "This field is required."))
        }
        issues += try await apply(draft, to: &campaign, principal: principal)
        if !issues.isEmpty { throw RapportError(.invalid, "The campaign has invalid fields.", fields: issues) }
        try await repository.create(campaign)
        return campaign
    }

    /// Changes a draft.
    /// - Throws: `forbidden`; `notFound`; `conflict` once it is no longer a draft; `invalid`; `stale` when
    ///   `expectedVersion` is not the current one.
    package func update(
        _ principal: Principal, id: String, _ draft: Draft, expectedVersion: Int64? = nil,
        now: Int64 = Timestamp.micros(Date())
    ) async throws -> Campaign {
        let current = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        if let expectedVersion, expectedVersion != current.version {
            throw RapportError(.stale, "The campaign has changed since it was read (If-Match does not match its ETag).")
        }
        guard current.status == .draft else { throw Self.notDraft(current) }
        var campaign = current
        let issues = try await apply(draft, to: &campaign, principal: principal)
        if !issues.isEmpty { throw RapportError(.invalid, "The campaign has invalid fields.", fields: issues) }
        campaign.version = current.version + 1
        campaign.updatedAt = max(now, current.updatedAt + 1)
        guard try await repository.updateDraft(campaign, expectedVersion: current.version) else {
            throw RapportError(.stale, "The campaign changed while it was being saved; read it again.")
        }
        return campaign
    }

    /// Deletes a draft (a campaign that has sent anything is kept, with its figures).
    /// - Throws: `forbidden`; `notFound`; `conflict` for a campaign that is not a draft.
    package func delete(_ principal: Principal, id: String) async throws {
        let campaign = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        guard campaign.status == .draft else {
            throw RapportError(.conflict, "Only a draft can be deleted; cancel a campaign that has begun.")
        }
        guard try await repository.deleteDraft(workspaceID: campaign.workspaceID, id: campaign.id) else {
            throw RapportError(.conflict, "The campaign is no longer a draft.")
        }
    }

    /// Sends a draft: at once, or at its `send_at` when that is still to come (`scheduled`). Its segment, template
    /// and variants are checked first, for the campaign's creator.
    /// - Throws: `forbidden`; `notFound`; `conflict` when it is not a draft; `invalid` when its segment, template or
    ///   a variant cannot be used.
    package func send(_ principal: Principal, id: String, now: Int64 = Timestamp.micros(Date())) async throws
        -> Campaign
    {
        let campaign = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        guard campaign.status == .draft else { throw Self.notDraft(campaign) }
        let sender = CampaignSender(services)
        do {
            let viewer = try await sender.creator(campaign)
            _ = try await SegmentService(services).selection(viewer, id: campaign.segmentID)
            _ = try await sender.renderers(campaign)
        } catch let error as CampaignSender.Stop {
            throw RapportError(.invalid, error.reason, fields: [FieldIssue(error.field, error.reason)])
        } catch let error as RapportError where [.notFound, .invalid, .forbidden].contains(error.code) {
            throw RapportError(
                .invalid, "The segment cannot be used: \(error.detail)",
                fields: error.fields.isEmpty ? [FieldIssue("segment_id", error.detail)] : error.fields)
        }
        let due = max(campaign.sendAt ?? now, now)
        let status: CampaignStatus = due > now ? .scheduled : .sending
        let services = self.services
        let repository = self.repository
        let moved = try await services.store.transaction { database in
            guard
                try await repository.advance(
                    workspaceID: campaign.workspaceID, id: campaign.id, from: [.draft], to: status, now: now,
                    on: database)
            else { return false }
            try await JobQueue(store: services.store).enqueue(
                CampaignSender.sendJob(workspaceID: campaign.workspaceID, campaignID: campaign.id, at: due), now: now,
                on: database)
            return true
        }
        guard moved else { throw RapportError(.conflict, "The campaign was sent or changed meanwhile; read it again.") }
        return try await get(principal.viewer, id: id)
    }

    /// Takes a scheduled campaign back to a draft before its time comes, so it can be changed and sent again; its
    /// send job is dropped. (A campaign whose time came meanwhile has begun and answers `conflict`: cancel it.)
    /// - Throws: `forbidden`; `notFound`; `conflict` for a campaign that is not scheduled.
    package func unschedule(_ principal: Principal, id: String, now: Int64 = Timestamp.micros(Date())) async throws
        -> Campaign
    {
        let campaign = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        let notScheduled = RapportError(
            .conflict, "Only a scheduled campaign goes back to a draft; this one is \(campaign.status.rawValue).")
        guard campaign.status == .scheduled else { throw notScheduled }
        let services = self.services
        let repository = self.repository
        let moved = try await services.store.transaction { database in
            guard
                try await repository.advance(
                    workspaceID: campaign.workspaceID, id: campaign.id, from: [.scheduled], to: .draft, now: now,
                    on: database)
            else { return false }
            try await JobQueue(store: services.store).cancel(
                workspaceID: campaign.workspaceID, dedupKey: CampaignSender.sendKey(campaign.id), on: database)
            return true
        }
        guard moved else { throw RapportError(.conflict, "The campaign began meanwhile; cancel it instead.") }
        return try await get(principal.viewer, id: id)
    }

    /// Stops a campaign: nothing more is enqueued, its messages not yet handed to the server are skipped
    /// ("cancelled"), sent ones are left as they are.
    /// - Throws: `forbidden`; `notFound`; `conflict` for one already cancelled, failed or finished.
    package func cancel(_ principal: Principal, id: String, now: Int64 = Timestamp.micros(Date())) async throws
        -> Campaign
    {
        let campaign = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        var allowed: Set<CampaignStatus> = [.draft, .scheduled, .sending, .testing]
        if campaign.status == .sent {
            let counts = try await repository.counts(workspaceID: campaign.workspaceID, campaignID: campaign.id)
            if counts.values.contains(where: { $0.queued + $0.deferred > 0 }) { allowed.insert(.sent) }
        }
        guard allowed.contains(campaign.status) else {
            throw RapportError(
                .conflict, "The campaign has finished (\(campaign.status.rawValue)); there is nothing to cancel.")
        }
        let services = self.services
        let repository = self.repository
        let states = allowed
        let cancelled = try await services.store.transaction { database in
            guard
                try await repository.advance(
                    workspaceID: campaign.workspaceID, id: campaign.id, from: states, to: .cancelled,
                    .init(finishedAt: now), now: now, on: database)
            else { return false }
            try await repository.skipUnsent(
                workspaceID: campaign.workspaceID, campaignID: campaign.id, reason: CampaignSender.cancelledReason,
                on: database)
            let queue = JobQueue(store: services.store)
            for key in [CampaignSender.sendKey(campaign.id), CampaignSender.winnerKey(campaign.id)] {
                try await queue.cancel(workspaceID: campaign.workspaceID, dedupKey: key, on: database)
            }
            return true
        }
        guard cancelled else { throw RapportError(.conflict, "The campaign changed meanwhile; read it again.") }
        return try await get(principal.viewer, id: id)
    }

    /// Chooses the variant that goes to the rest when the test is not significant (before the winner is decided).
    /// - Throws: `forbidden`; `notFound`; `invalid` for a campaign without variants or an unknown variant;
    ///   `conflict` once the winner is decided.
    package func chooseWinner(
        _ principal: Principal, id: String, variant: String?, now: Int64 = Timestamp.micros(Date())
    ) async throws -> Campaign {
        let campaign = try await get(principal.viewer, id: id)
        try Access(principal).require(.manageCampaigns)
        guard campaign.isTest else {
            throw RapportError(
                .invalid, "The campaign is not an A/B test.",
                fields: [FieldIssue("variant", key: "campaign_not_test", "The campaign is not an A/B test.")])
        }
        guard let variant, campaign.variants.contains(where: { $0.key == variant }) else {
            throw RapportError.invalid([
                FieldIssue(
                    "variant", key: "campaign_unknown_variant", "No such variant: {variant}.",
                    ["variant": variant ?? ""])
            ])
        }
        guard campaign.winnerVariant == nil,
            try await repository.advance(
                workspaceID: campaign.workspaceID, id: campaign.id, from: [.draft, .scheduled, .sending, .testing],
                to: nil, .init(chosenVariant: .some(variant)), now: now)
        else {
            throw RapportError(.conflict, "The winner is already decided (\(campaign.winnerVariant ?? "none")).")
        }
        return try await get(principal.viewer, id: id)
    }

    // MARK: Checking a draft

    /// Applies `draft` to `campaign` and says what is wrong.
    func apply(_ draft: Draft, to campaign: inout Campaign, principal: Principal) async throws -> [FieldIssue] {
        let workspaceID = principal.workspace.id
        var issues: [FieldIssue] = []
        if let name = draft.name { campaign.name = name.trimmed() }
        issues += CampaignRules.nameIssues(campaign.name)
        if let segmentID = draft.segmentID {
            if try await SegmentRepository(store: services.store).find(workspaceID: workspaceID, id: segmentID) == nil {
                issues.append(FieldIssue("segment_id", key: "campaign_no_segment", "No such segment."))
            } else {
                campaign.segmentID = segmentID.lowercased()
            }
        }
        let templates = TemplateRepository(store: services.store)
        if let templateID = draft.templateID {
            if let issue = try await templateIssue(templateID, field: "template_id", templates, workspaceID) {
                issues.append(issue)
            } else {
                campaign.templateID = templateID.lowercased()
            }
        }
        if let sendAt = draft.sendAt {
            if let text = sendAt {
                if let moment = CampaignSchedule.moment(text, timeZone: try await timeZone(workspaceID: workspaceID)) {
                    campaign.sendAt = moment
                } else {
                    issues.append(
                        FieldIssue(
                            "send_at", key: "campaign_send_at",
                            "A date and time such as 2026-05-04T09:00 (in the workspace's time zone) or 2026-05-04T09:00:00+02:00."
                        ))
                }
            } else {
                campaign.sendAt = nil
            }
        }
        if let variants = draft.variants {
            var made: [CampaignVariant] = []
            let custom = Set(
                try await RecordService(services, schema: .contacts).customFields(workspaceID: workspaceID).filter {
                    $0.object == ObjectType.contacts.name
                }.map(\.key))
            for (index, variant) in variants.prefix(CampaignVariant.keys.count).enumerated() {
                let subject = variant.subject?.trimmed().isEmpty == false ? variant.subject : nil
                let templateID = variant.templateID?.trimmed().isEmpty == false ? variant.templateID : nil
                if let subject {
                    if subject.contains("\n") || subject.contains("\r") {
                        issues.append(
                            FieldIssue(
                                "variants[\(index)].subject", key: "campaign_subject_line", "A subject is one line."))
                    } else {
                        do {
                            _ = try ParsedTemplate.parse(subject, customFields: custom)
                        } catch {
                            issues.append(
                                FieldIssue(
                                    "variants[\(index)].subject", key: "campaign_subject_invalid",
                                    "Column {column}: {message}",
                                    ["column": "\(error.position.column)", "message": error.message]))
                        }
                    }
                }
                if let templateID,
                    let issue = try await templateIssue(
                        templateID, field: "variants[\(index)].template_id", templates, workspaceID)
                {
                    issues.append(issue)
                }
                made.append(
                    CampaignVariant(
                        key: CampaignVariant.keys[index], subject: subject, templateID: templateID?.lowercased()))
            }
            campaign.variants = made
            if variants.count > CampaignVariant.keys.count {
                issues.append(
                    FieldIssue("variants", key: "campaign_variants_count", "An A/B test has two to four variants."))
            }
        }
        if let share = draft.testShare { campaign.testShare = share }
        if let metric = draft.winnerMetric { campaign.winnerMetric = metric }
        if let wait = draft.winnerWaitMinutes { campaign.winnerWaitMinutes = wait }
        if let key = draft.defaultVariant { campaign.defaultVariant = key }
        if campaign.variants.isEmpty {
            if draft.defaultVariant == nil { campaign.defaultVariant = "A" }
            campaign.chosenVariant = nil
        } else if let chosen = campaign.chosenVariant, !campaign.variants.contains(where: { $0.key == chosen }) {
            campaign.chosenVariant = nil
        }
        if draft.defaultVariant == nil, !campaign.variants.isEmpty,
            !campaign.variants.contains(where: { $0.key == campaign.defaultVariant })
        {
            campaign.defaultVariant = "A"
        }
        issues += CampaignRules.testIssues(
            variants: campaign.variants, testShare: campaign.testShare, waitMinutes: campaign.winnerWaitMinutes,
            defaultVariant: campaign.defaultVariant)
        return issues
    }

    /// Why a template cannot be a campaign's: none with that id, or not a marketing one.
    func templateIssue(_ id: String, field: String, _ templates: TemplateRepository, _ workspaceID: String)
        async throws -> FieldIssue?
    {
        guard let template = try await templates.find(workspaceID: workspaceID, id: id) else {
            return FieldIssue(field, key: "campaign_no_template", "No such template.")
        }
        guard template.kind == .marketing else {
            return FieldIssue(
                field, key: "campaign_not_marketing",
                "A campaign sends marketing templates (with an unsubscribe link); this one is transactional.")
        }
        return nil
    }

    static func notDraft(_ campaign: Campaign) -> RapportError {
        RapportError(
            .conflict,
            "The campaign is \(campaign.status.rawValue), no longer a draft; only a draft is changed or sent.")
    }
}

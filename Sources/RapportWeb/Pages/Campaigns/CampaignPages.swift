import Foundation
import Hummingbird
import Mustache
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices

/// Marketing → Campaigns: the list; the form of a new campaign or a draft (segment and template pickers, send now
/// or at a time in the workspace's time zone, the A/B test's variants, share, metric, wait and default); a sent
/// campaign's page with its figures (counts, rates, each variant's rate with its 95% interval drawn as SVG, whether
/// the difference is significant, why messages were not sent), which `campaign.js` keeps current while it sends;
/// cancel, and choosing the variant that goes when the test is not significant. Owners and admins act; everyone
/// reads.
struct CampaignPages: Sendable {
    let services: Services
    let pages: Pages
    var campaigns: CampaignService { CampaignService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.campaigns), use: list)
        group.post(RouterPath(WebPath.campaigns), use: create)
        group.get(RouterPath(WebPath.newCampaign), use: new)
        group.get(RouterPath(WebPath.campaign(":id")), use: show)
        group.post(RouterPath(WebPath.campaign(":id")), use: update)
        group.get(RouterPath(WebPath.campaignFigures(":id")), use: figures)
        group.post(RouterPath(WebPath.sendCampaign(":id")), use: send)
        group.post(RouterPath(WebPath.cancelCampaign(":id")), use: cancel)
        group.post(RouterPath(WebPath.unscheduleCampaign(":id")), use: unschedule)
        group.post(RouterPath(WebPath.campaignWinner(":id")), use: winner)
        group.post(RouterPath(WebPath.deleteCampaign(":id")), use: delete)
    }

    // MARK: The list

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let dates = Dates(viewer: principal.user, messages: messages)
        let after = request.uri.queryParameters["cursor"].flatMap { PageKey(cursor: String($0)) }
        let page = try await campaigns.list(principal.viewer, limit: 50, after: after)
        let reports = try await campaigns.reports(principal.viewer, page.items)
        let rows = reports.map { report in
            let c = report.campaign
            let when = c.finishedAt ?? c.startedAt ?? c.sendAt
            return CampaignsView.Row(
                name: c.name, path: WebPath.campaign(c.id), status: Self.status(c.status, messages),
                statusClass: "status-\(c.status.rawValue)", when: when.map(dates.short) ?? "—",
                messages: Numbers.format(report.counts.total, language),
                sent: Numbers.format(report.counts.sent, language),
                openRate: CampaignFormat.percent(report.counts.openRate, language),
                clickRate: CampaignFormat.percent(report.counts.clickRate, language), isTest: c.isTest)
        }
        return pages.render(
            CampaignsView(
                rows: rows, hasRows: !rows.isEmpty, canManage: Access(principal).allows(.manageCampaigns),
                nextPath: page.next.map { "\(WebPath.campaigns)?cursor=\($0.cursor)" }),
            request: request, context: context, title: "campaigns")
    }

    static func status(_ status: CampaignStatus, _ messages: [String: String]) -> String {
        messages["campaign_status_\(status.rawValue)"] ?? status.rawValue
    }

    // MARK: The form

    @Sendable func new(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageCampaigns)
        var form: [String: String] = [:]
        if let segment = request.uri.queryParameters["segment_id"] { form["segment_id"] = String(segment) }
        return try await editor(request: request, context: context, campaign: nil, form: form.isEmpty ? nil : form)
    }

    /// The form of a new campaign or a draft, with the values sent (`form`) and their issues after a refused save.
    func editor(
        request: Request, context: AppContext, campaign: Campaign?, form: [String: String]? = nil,
        issues: [FieldIssue] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let zone = try await campaigns.timeZone(workspaceID: principal.workspace.id)
        let segments = (try? await SegmentService(services).all(principal.viewer)) ?? []
        let templates = try await TemplateService(services).all(principal.viewer).filter { $0.kind == .marketing }
        func value(_ key: String, _ stored: String?) -> String { form?[key] ?? stored ?? "" }
        let segmentID = value("segment_id", campaign?.segmentID)
        let templateID = value("template_id", campaign?.templateID)
        let sendAt = campaign?.sendAt.map { CampaignSchedule.localText($0, timeZone: zone) }
        let later = (form?["send_mode"] ?? (campaign?.sendAt == nil ? "now" : "later")) == "later"
        let isTest = form.map { $0["ab"] == "on" } ?? (campaign?.isTest ?? false)
        let variants = CampaignVariant.keys.enumerated().map { index, key in
            let stored = campaign?.variants.first { $0.key == key }
            let chosen = value("variant_\(key)_template", stored?.templateID)
            return CampaignEditView.VariantRow(
                key: key,
                label: (messages["campaign_variant"] ?? "Variant {key}").replacingOccurrences(
                    of: "{key}", with: key),
                subjectName: "variant_\(key)_subject", templateName: "variant_\(key)_template",
                subject: value("variant_\(key)_subject", stored?.subject),
                templates: [
                    Option(value: "", label: messages["campaign_same_template"] ?? "—", selected: chosen.isEmpty)
                ]
                    + templates.map { Option(value: $0.id, label: $0.name, selected: $0.id == chosen) },
                subjectError: issueText(issues, "variants[\(index)].subject", messages),
                templateError: issueText(issues, "variants[\(index)].template_id", messages))
        }
        let metric = value("winner_metric", campaign?.winnerMetric.rawValue)
        let defaultKey = value("default_variant", campaign?.defaultVariant)
        let waitHours =
            form?["winner_wait_hours"]
            ?? CampaignFormat.hours(campaign?.winnerWaitMinutes ?? CampaignRules.defaultWaitMinutes)
        var errors = Pages.errorMap(issues, messages)
        if let first = issues.first(where: { $0.field.hasPrefix("variants") && !$0.field.contains(".") }) {
            errors["variants"] = Pages.translate(first, messages)
        }
        let view = CampaignEditView(
            heading: campaign?.name ?? (messages["new_campaign"] ?? "New campaign"),
            action: campaign.map { WebPath.campaign($0.id) } ?? WebPath.campaigns,
            name: value("name", campaign?.name),
            segments: [Option(value: "", label: "—", selected: segmentID.isEmpty)]
                + segments.map { Option(value: $0.id, label: $0.name, selected: $0.id == segmentID) },
            templates: [Option(value: "", label: "—", selected: templateID.isEmpty)]
                + templates.map { Option(value: $0.id, label: $0.name, selected: $0.id == templateID) },
            noSegments: segments.isEmpty, noTemplates: templates.isEmpty, sendNow: !later, sendLater: later,
            sendAt: form?["send_at"] ?? sendAt ?? "",
            timeZoneHint: (messages["campaign_time_zone_hint"] ?? "In the workspace's time zone ({zone}).")
                .replacingOccurrences(
                    of: "{zone}", with: try await campaigns.timeZoneName(workspaceID: principal.workspace.id)),
            isTest: isTest, variants: variants,
            testShare: form?["test_share"] ?? String(campaign?.testShare ?? CampaignRules.defaultTestShare),
            metrics: WinnerMetric.allCases.map {
                Option(
                    value: $0.rawValue, label: messages["campaign_metric_\($0.rawValue)"] ?? $0.rawValue,
                    selected: $0.rawValue == metric)
            },
            waitHours: waitHours,
            defaults: CampaignVariant.keys.map { Option(value: $0, label: $0, selected: $0 == defaultKey) },
            errors: errors, deletePath: campaign.map { WebPath.deleteCampaign($0.id) },
            canManage: Access(principal).allows(.manageCampaigns))
        return pages.render(
            view, request: request, context: context, status: status,
            title: campaign == nil ? "new_campaign" : "campaigns")
    }

    func issueText(_ issues: [FieldIssue], _ field: String, _ messages: [String: String]) -> String? {
        issues.first { $0.field == field }.map { Pages.translate($0, messages) }
    }

    /// The form's fields as a draft: the A/B test's variants A and B always (when it is a test), C and D when
    /// they say something.
    static func draft(_ form: [String: String]) -> CampaignService.Draft {
        var draft = CampaignService.Draft(
            name: form["name"] ?? "", segmentID: form["segment_id"] ?? "", templateID: form["template_id"] ?? "")
        draft.sendAt = form["send_mode"] == "later" ? .some(form["send_at"] ?? "") : .some(nil)
        if form["ab"] == "on" {
            draft.variants = CampaignVariant.keys.enumerated().compactMap { index, key in
                let subject = form["variant_\(key)_subject"] ?? ""
                let template = form["variant_\(key)_template"] ?? ""
                if index >= 2, subject.trimmed().isEmpty, template.isEmpty { return nil }
                return CampaignService.VariantDraft(subject: subject, templateID: template)
            }
            draft.testShare = Int((form["test_share"] ?? "").trimmed()) ?? -1
            draft.winnerMetric = WinnerMetric(rawValue: form["winner_metric"] ?? "") ?? .open
            let hours = Double((form["winner_wait_hours"] ?? "").trimmed().replacingOccurrences(of: ",", with: "."))
            draft.winnerWaitMinutes = hours.map { Int(($0 * 60).rounded()) } ?? -1
            draft.defaultVariant = form["default_variant"] ?? "A"
        } else {
            draft.variants = []
        }
        return draft
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let campaign: Campaign
        do {
            campaign = try await campaigns.create(principal, Self.draft(form))
        } catch let error as RapportError where error.code == .invalid {
            return try await editor(
                request: request, context: context, campaign: nil, form: form, issues: error.fields,
                status: .unprocessableContent)
        }
        guard form["action"] == "send" else {
            return pages.redirect(WebPath.campaign(campaign.id), flash: Flash("campaign_saved"))
        }
        return try await sendNow(campaign, principal: principal, request: request, context: context, form: form)
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let current = try await campaigns.get(principal.viewer, id: id)
        guard current.status == .draft else {
            return pages.redirect(WebPath.campaign(id), flash: Flash("campaign_not_draft"))
        }
        let campaign: Campaign
        do {
            campaign = try await campaigns.update(principal, id: id, Self.draft(form))
        } catch let error as RapportError where error.code == .invalid {
            return try await editor(
                request: request, context: context, campaign: current, form: form, issues: error.fields,
                status: .unprocessableContent)
        }
        guard form["action"] == "send" else {
            return pages.redirect(WebPath.campaign(campaign.id), flash: Flash("campaign_saved"))
        }
        return try await sendNow(campaign, principal: principal, request: request, context: context, form: form)
    }

    /// Sends (or schedules) a saved draft; a segment or template that cannot be used shows on the form.
    func sendNow(
        _ campaign: Campaign, principal: Principal, request: Request, context: AppContext, form: [String: String]?
    ) async throws -> Response {
        do {
            let sent = try await campaigns.send(principal, id: campaign.id)
            return pages.redirect(
                WebPath.campaign(sent.id),
                flash: Flash(sent.status == .scheduled ? "campaign_scheduled" : "campaign_sent"))
        } catch let error as RapportError where error.code == .invalid {
            return try await editor(
                request: request, context: context, campaign: campaign, form: form, issues: error.fields,
                status: .unprocessableContent)
        } catch let error as RapportError where error.code == .conflict {
            return pages.redirect(WebPath.campaign(campaign.id), flash: Flash("campaign_not_draft"))
        }
    }

    @Sendable func send(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.get(principal.viewer, id: try context.parameters.require("id"))
        return try await sendNow(campaign, principal: principal, request: request, context: context, form: nil)
    }

    @Sendable func cancel(_ request: Request, context: AppContext) async throws -> Response {
        try await act(context, done: "campaign_cancelled", conflict: "campaign_finished") {
            try await campaigns.cancel($0, id: $1)
        }
    }

    /// Back to a draft, opened for editing; a campaign that began meanwhile says so on its page.
    @Sendable func unschedule(_ request: Request, context: AppContext) async throws -> Response {
        try await act(context, done: "campaign_unscheduled", conflict: "campaign_began") {
            try await campaigns.unschedule($0, id: $1)
        }
    }

    /// Does `action` to the campaign of the path and goes back to its page with the flash `done`, or with
    /// `conflict` when the campaign had moved on meanwhile.
    func act(
        _ context: AppContext, done: String, conflict: String,
        _ action: (Principal, String) async throws -> Campaign
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        do {
            _ = try await action(principal, id)
            return pages.redirect(WebPath.campaign(id), flash: Flash(done))
        } catch let error as RapportError where error.code == .conflict {
            return pages.redirect(WebPath.campaign(id), flash: Flash(conflict))
        }
    }

    @Sendable func winner(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await campaigns.chooseWinner(principal, id: id, variant: form["variant"])
            return pages.redirect(WebPath.campaign(id), flash: Flash("campaign_winner"))
        } catch let error as RapportError where [.conflict, .invalid].contains(error.code) {
            return pages.redirect(WebPath.campaign(id), flash: Flash("campaign_winner_decided"))
        }
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        do {
            try await campaigns.delete(principal, id: id)
            return pages.redirect(WebPath.campaigns, flash: Flash("campaign_deleted"))
        } catch let error as RapportError where error.code == .conflict {
            return pages.redirect(WebPath.campaign(id), flash: Flash("campaign_not_draft"))
        }
    }

    // MARK: A campaign's page

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.get(principal.viewer, id: try context.parameters.require("id"))
        if campaign.status == .draft, Access(principal).allows(.manageCampaigns) {
            return try await editor(request: request, context: context, campaign: campaign)
        }
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let dates = Dates(viewer: principal.user, messages: messages)
        let report = try await campaigns.report(principal.viewer, campaign)
        let segment = try? await SegmentService(services).get(principal.viewer, id: campaign.segmentID)
        let templates = try await TemplateService(services).all(principal.viewer)
        func templateName(_ id: String) -> String { templates.first { $0.id == id }?.name ?? id }
        var details: [CampaignView.Detail] = [
            .init(
                label: messages["campaign_segment"] ?? "Segment", value: segment?.name ?? campaign.segmentID,
                path: segment.map { WebPath.segment($0.id) }),
            .init(
                label: messages["campaign_template"] ?? "Template", value: templateName(campaign.templateID),
                path: WebPath.template(campaign.templateID)),
        ]
        if let sendAt = campaign.sendAt {
            details.append(.init(label: messages["campaign_when"] ?? "When", value: dates.exact(sendAt), path: nil))
        }
        if let started = campaign.startedAt {
            details.append(
                .init(label: messages["campaign_started"] ?? "Started", value: dates.exact(started), path: nil))
        }
        if let finished = campaign.finishedAt {
            details.append(
                .init(label: messages["campaign_finished"] ?? "Finished", value: dates.exact(finished), path: nil))
        }
        if campaign.isTest {
            let test =
                (messages["campaign_test_summary"] ?? "{share} of the segment, winner by {metric} after {hours} h")
                .replacingOccurrences(
                    of: "{share}", with: CampaignFormat.percent(Double(campaign.testShare) / 100, language, places: 0)
                )
                .replacingOccurrences(
                    of: "{metric}",
                    with: messages["campaign_metric_\(campaign.winnerMetric.rawValue)"]
                        ?? campaign.winnerMetric.rawValue
                )
                .replacingOccurrences(of: "{hours}", with: CampaignFormat.hours(campaign.winnerWaitMinutes, language))
            details.append(.init(label: messages["campaign_ab_test"] ?? "A/B test", value: test, path: nil))
        }
        let canManage = Access(principal).allows(.manageCampaigns)
        let undecided =
            campaign.isTest && campaign.winnerVariant == nil
            && [.scheduled, .sending, .testing].contains(campaign.status)
        let cancellable =
            [.scheduled, .sending, .testing].contains(campaign.status)
            || (campaign.status == .sent && report.counts.queued + report.counts.deferred > 0)
        let view = CampaignView(
            heading: campaign.name, details: details,
            problem: campaign.problem.map {
                (messages["campaign_problem"] ?? "It stopped: {problem}").replacingOccurrences(
                    of: "{problem}", with: $0)
            },
            figures: figuresView(report, messages: messages, language: language, dates: dates),
            cancelPath: canManage && cancellable ? WebPath.cancelCampaign(campaign.id) : nil,
            unschedulePath: canManage && campaign.status == .scheduled ? WebPath.unscheduleCampaign(campaign.id) : nil,
            winnerPath: canManage && undecided ? WebPath.campaignWinner(campaign.id) : nil,
            winnerOptions: campaign.variants.map {
                Option(
                    value: $0.key, label: $0.key,
                    selected: $0.key == (campaign.chosenVariant ?? campaign.defaultVariant))
            },
            listPath: WebPath.campaigns)
        return pages.render(view, request: request, context: context, title: "campaigns")
    }

    /// The figures alone, for `campaign.js` to put in place while the campaign sends.
    @Sendable func figures(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.get(principal.viewer, id: try context.parameters.require("id"))
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let report = try await campaigns.report(principal.viewer, campaign)
        let view = figuresView(
            report, messages: messages, language: language, dates: Dates(viewer: principal.user, messages: messages))
        return pages.fragment(view, request: request, context: context)
    }

    func figuresView(
        _ report: CampaignService.Report, messages: [String: String], language: Language, dates: Dates
    ) -> CampaignFiguresView {
        let campaign = report.campaign
        let counts = report.counts
        func count(_ value: Int) -> String { Numbers.format(value, language) }
        func rate(_ value: Double?) -> String { CampaignFormat.percent(value, language) }
        let stats: [CampaignFiguresView.Stat] = [
            .init(
                key: "queued", label: messages["campaign_stat_queued"] ?? "Queued", count: count(counts.queued),
                rate: nil),
            .init(
                key: "deferred", label: messages["campaign_stat_deferred"] ?? "Deferred", count: count(counts.deferred),
                rate: nil),
            .init(key: "sent", label: messages["campaign_stat_sent"] ?? "Sent", count: count(counts.sent), rate: nil),
            .init(
                key: "bounced", label: messages["campaign_stat_bounced"] ?? "Bounced", count: count(counts.bounced),
                rate: rate(counts.bounceRate)),
            .init(
                key: "opened", label: messages["campaign_stat_opened"] ?? "Opened", count: count(counts.opened),
                rate: rate(counts.openRate)),
            .init(
                key: "clicked", label: messages["campaign_stat_clicked"] ?? "Clicked", count: count(counts.clicked),
                rate: rate(counts.clickRate)),
            .init(
                key: "unsubscribed", label: messages["campaign_stat_unsubscribed"] ?? "Unsubscribed",
                count: count(counts.unsubscribed), rate: rate(counts.unsubscribeRate)),
            .init(
                key: "skipped", label: messages["campaign_stat_skipped"] ?? "Skipped", count: count(counts.skipped),
                rate: nil),
            .init(
                key: "failed", label: messages["campaign_stat_failed"] ?? "Failed", count: count(counts.failed),
                rate: nil),
        ]
        let metricName = messages["campaign_metric_\(campaign.winnerMetric.rawValue)"] ?? campaign.winnerMetric.rawValue
        let leader = campaign.winnerVariant ?? report.outcome?.best
        var variants = report.variants.map { variant in
            let interval = variant.result.interval
            return CampaignFiguresView.VariantRow(
                key: variant.variant.key, subject: variant.variant.subject,
                sent: count(variant.counts.sent), successes: count(variant.result.successes),
                rate: rate(variant.result.rate),
                interval: interval.map { "\(rate($0.low)) – \(rate($0.high))" } ?? "—",
                winner: variant.variant.key == campaign.winnerVariant)
        }
        if let rest = report.rest, let winner = campaign.winnerVariant, campaign.testShare < 100 {
            // the winner's messages to the rest, below the test's own (not part of the verdict)
            let successes = rest.successes(campaign.winnerMetric)
            let result = VariantResult(key: winner, sent: rest.sent, successes: successes)
            variants.append(
                CampaignFiguresView.VariantRow(
                    key: (messages["campaign_rest"] ?? "Rest ({key})").replacingOccurrences(of: "{key}", with: winner),
                    subject: nil, sent: count(rest.sent), successes: count(successes), rate: rate(result.rate),
                    interval: result.interval.map { "\(rate($0.low)) – \(rate($0.high))" } ?? "—", winner: false))
        }
        let chart: String? =
            campaign.isTest
            ? IntervalChart.svg(
                report.variants.map { variant in
                    let interval = variant.result.interval
                    let text =
                        variant.result.rate.map { value in
                            interval.map { "\(rate(value)) (\(rate($0.low)) – \(rate($0.high)))" } ?? rate(value)
                        } ?? "—"
                    return IntervalChart.Row(
                        label: (messages["campaign_variant"] ?? "Variant {key}").replacingOccurrences(
                            of: "{key}", with: variant.variant.key),
                        rate: variant.result.rate, low: interval?.low, high: interval?.high, text: text,
                        highlight: variant.variant.key == leader)
                },
                title: (messages["campaign_rate_chart"] ?? "{metric} per variant, with 95% intervals")
                    .replacingOccurrences(of: "{metric}", with: metricName),
                rtl: language.isRightToLeft) : nil
        var verdict: String?
        if campaign.isTest, let outcome = report.outcome {
            let p = outcome.pValue.map { CampaignFormat.decimal($0, language) } ?? "—"
            let alpha = CampaignFormat.decimal(outcome.alpha, language)
            if let winner = campaign.winnerVariant, let reason = campaign.winnerReason {
                verdict = (messages["campaign_winner_\(reason.rawValue)"] ?? "Variant {key} went to the rest.")
                    .replacingOccurrences(of: "{key}", with: winner)
            } else if outcome.significant, let best = outcome.best {
                verdict = (messages["campaign_significant"] ?? "Variant {key} is better (p = {p}).")
                    .replacingOccurrences(of: "{key}", with: best).replacingOccurrences(of: "{p}", with: p)
                    .replacingOccurrences(of: "{alpha}", with: alpha)
            } else if outcome.versus.contains(where: { $0.comparison != nil }) {
                verdict = (messages["campaign_not_significant"] ?? "Not significant (p = {p}).")
                    .replacingOccurrences(of: "{p}", with: p).replacingOccurrences(of: "{alpha}", with: alpha)
            } else {
                verdict = messages["campaign_no_result"] ?? "No figures to compare yet."
            }
        }
        var fallback: String?
        if campaign.isTest, campaign.winnerVariant == nil {
            let key = campaign.chosenVariant ?? campaign.defaultVariant
            let why = messages[campaign.chosenVariant == nil ? "campaign_why_default" : "campaign_why_chosen"] ?? ""
            fallback = (messages["campaign_goes_if_not"] ?? "If not significant, variant {key} goes ({why}).")
                .replacingOccurrences(of: "{key}", with: key).replacingOccurrences(of: "{why}", with: why)
        }
        var progress: String?
        if let audience = campaign.audience, [.sending, .testing, .sent].contains(campaign.status) {
            progress = (messages["campaign_progress"] ?? "{count} of {audience} members have their message")
                .replacingOccurrences(of: "{count}", with: count(counts.total))
                .replacingOccurrences(of: "{audience}", with: count(audience))
        }
        var schedule: String?
        if campaign.status == .scheduled, let sendAt = campaign.sendAt {
            schedule = (messages["campaign_scheduled_for"] ?? "Scheduled for {time}").replacingOccurrences(
                of: "{time}", with: dates.exact(sendAt))
        } else if campaign.status == .testing, let due = campaign.winnerDueAt {
            schedule = (messages["campaign_winner_due"] ?? "The winner is decided {time}.").replacingOccurrences(
                of: "{time}", with: dates.exact(due))
        }
        let live = campaign.status.isActive || counts.queued + counts.deferred > 0
        return CampaignFiguresView(
            source: WebPath.campaignFigures(campaign.id), live: live, status: Self.status(campaign.status, messages),
            statusClass: "status-\(campaign.status.rawValue)", progress: progress, schedule: schedule, stats: stats,
            isTest: campaign.isTest,
            successesLabel: messages[campaign.winnerMetric == .open ? "campaign_stat_opened" : "campaign_stat_clicked"]
                ?? campaign.winnerMetric.rawValue, variants: variants, chart: chart, verdict: verdict,
            fallback: fallback,
            reasons: report.reasons.map {
                .init(
                    state: messages["campaign_stat_\($0.state.rawValue)"] ?? $0.state.rawValue,
                    reason: CampaignFormat.reason($0.reason, messages, language), count: count($0.count))
            }, hasReasons: !report.reasons.isEmpty)
    }
}

extension Pages {
    /// A template rendered without the layout (a part of a page a script puts in place), in the viewer's language.
    func fragment<Content: PageContent>(_ content: Content, request: Request, context: AppContext) -> Response {
        let language = Self.language(request, context)
        var values = TemplateValues.flatten(content) as? [String: Any] ?? [:]
        values["t"] = catalog.table(language)
        values["lang"] = language.rawValue
        values["dir"] = language.isRightToLeft ? "rtl" : "ltr"
        let html = library.render(values, withTemplate: Content.template) ?? ""
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Numbers and reasons on the campaign pages, as the reader writes them.
enum CampaignFormat {
    /// `12.5%`, `۱۲٫۵٪`; a dash for none.
    static func percent(_ value: Double?, _ language: Language, places: Int = 1) -> String {
        guard let value else { return "—" }
        return value.formatted(
            .percent.precision(.fractionLength(places)).locale(Locale(identifier: language.rawValue)))
    }

    /// A p-value to three decimals (`0.012`).
    static func decimal(_ value: Double, _ language: Language) -> String {
        value.formatted(.number.precision(.fractionLength(3)).locale(Locale(identifier: language.rawValue)))
    }

    /// Minutes as hours for the form (`4`, `1.5`).
    static func hours(_ minutes: Int) -> String {
        guard minutes % 60 != 0 else { return String(minutes / 60) }
        var text = String(format: "%.2f", Double(minutes) / 60)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    static func hours(_ minutes: Int, _ language: Language) -> String {
        (Double(minutes) / 60).formatted(
            .number.precision(.fractionLength(0...2)).locale(Locale(identifier: language.rawValue)))
    }

    /// Why messages were not sent, in the reader's language where the reason is one Rapport writes.
    static func reason(_ text: String, _ messages: [String: String], _ language: Language) -> String {
        if text == "The contact has no email address." { return messages["campaign_reason_no_address"] ?? text }
        if text == CampaignSender.cancelledReason { return messages["campaign_reason_cancelled"] ?? text }
        if text.hasPrefix("The address is suppressed ("), text.hasSuffix(")."),
            let template = messages["campaign_reason_suppressed"]
        {
            let why = String(text.dropFirst("The address is suppressed (".count).dropLast(2))
            return template.replacingOccurrences(
                of: "{why}", with: messages["campaign_suppressed_\(why)"] ?? why)
        }
        // "{{first_name}} has no value for this contact and no default (line 1, column 7)."
        if let template = messages["campaign_reason_missing"], text.hasPrefix("{{"),
            let close = text.range(of: "}} has no value for this contact and no default (line "),
            let comma = text.range(of: ", column ", range: close.upperBound..<text.endIndex)
        {
            let field = String(text[..<close.lowerBound].dropFirst(2))
            let line = Int(text[close.upperBound..<comma.lowerBound]).map { Numbers.format($0, language) } ?? ""
            let column =
                Int(String(text[comma.upperBound...].prefix { $0.isNumber })).map {
                    Numbers.format($0, language)
                } ?? ""
            return template.replacingOccurrences(of: "{field}", with: "{{\(field)}}")
                .replacingOccurrences(of: "{line}", with: line).replacingOccurrences(of: "{column}", with: column)
        }
        return text
    }
}

import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/campaigns`: a template sent to a segment, now or at a set time, optionally as an A/B test, with its
/// figures (docs/campaigns.md). Everyone reads them; owners and admins make, send and cancel them.
package struct CampaignsController: Sendable {
    let services: Services
    var campaigns: CampaignService { CampaignService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("campaigns", use: list)
        idempotent.post("campaigns", use: create)
        api.get("campaigns/:id", use: get)
        idempotent.patch("campaigns/:id", use: patch)
        idempotent.delete("campaigns/:id", use: delete)
        idempotent.post("campaigns/:id/send", use: send)
        idempotent.post("campaigns/:id/cancel", use: cancel)
        idempotent.post("campaigns/:id/unschedule", use: unschedule)
        idempotent.post("campaigns/:id/winner", use: winner)
        api.get("campaigns/:id/messages", use: messages)
    }

    func respond(_ campaign: Campaign, viewer: Viewer, status: HTTPResponse.Status = .ok) async throws -> Response {
        try JSONCoding.resource(
            CampaignBodies.campaign(try await campaigns.report(viewer, campaign)), id: campaign.id,
            version: campaign.version, collection: "/api/v1/campaigns", status: status)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let paging = try PageRequest(request)
        let page = try await campaigns.list(principal.viewer, limit: paging.limit, after: paging.after)
        let reports = try await campaigns.reports(principal.viewer, page.items)
        return try JSONCoding.response(
            JSONValue.object([
                "data": .array(reports.map(CampaignBodies.campaign)),
                "next_cursor": page.next.map { .string($0.cursor) } ?? .null,
            ]))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.get(principal.viewer, id: try context.parameters.require("id"))
        return try await respond(campaign, viewer: principal.viewer)
    }

    static let fields: Set<String> = [
        "name", "segment_id", "template_id", "send_at", "variants", "test_share", "winner_metric",
        "winner_wait_minutes", "default_variant",
    ]

    /// A create or a merge patch read member by member, every wrongly typed one reported.
    static func draft(_ body: inout JSONObject, patch: Bool) -> CampaignService.Draft {
        for key in body.members.keys.sorted() where !fields.contains(key) {
            body.append(FieldIssue(key, "Unknown field."))
        }
        if patch {
            for key in [
                "name", "segment_id", "template_id", "test_share", "winner_metric", "winner_wait_minutes",
                "default_variant",
            ] where body.members[key] == .null {
                body.append(FieldIssue(key, "This field cannot be cleared."))
            }
        }
        var draft = CampaignService.Draft()
        for key in ["name", "segment_id", "template_id", "default_variant"] where body.members[key] != .null {
            let value = body.string(key)
            switch key {
            case "name": draft.name = value
            case "segment_id": draft.segmentID = value
            case "template_id": draft.templateID = value
            default: draft.defaultVariant = value
            }
        }
        if body.members["send_at"] == .null {
            draft.sendAt = .some(nil)
        } else if let text = body.string("send_at") {
            draft.sendAt = .some(text)
        }
        draft.testShare = whole(&body, "test_share")
        draft.winnerWaitMinutes = whole(&body, "winner_wait_minutes")
        if body.members["winner_metric"] != .null, let metric = body.string("winner_metric") {
            if let known = WinnerMetric(rawValue: metric) {
                draft.winnerMetric = known
            } else {
                body.append(FieldIssue("winner_metric", "Must be open or click."))
            }
        }
        switch body.members["variants"] {
        case .none: break
        case .null?: draft.variants = []
        case .array(let items)?:
            var variants: [CampaignService.VariantDraft] = []
            for (index, item) in items.enumerated() {
                guard case .object(let members) = item else {
                    body.append(FieldIssue("variants[\(index)]", "Expected an object with subject and template_id."))
                    continue
                }
                var variant = CampaignService.VariantDraft()
                for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                    switch (key, value) {
                    case ("subject", .null), ("template_id", .null): break
                    case ("subject", .string(let text)) where !text.unicodeScalars.contains("\u{0}"):
                        variant.subject = text
                    case ("template_id", .string(let text)) where !text.unicodeScalars.contains("\u{0}"):
                        variant.templateID = text
                    case ("subject", _), ("template_id", _):
                        body.append(FieldIssue("variants[\(index)].\(key)", "Expected a string or null."))
                    default:
                        body.append(FieldIssue("variants[\(index)].\(key)", "Unknown field."))
                    }
                }
                variants.append(variant)
            }
            draft.variants = variants
        case .some(let other):
            body.append(FieldIssue("variants", "Expected an array of variants, not \(other.typeName)."))
        }
        return draft
    }

    /// A whole-number member; absent gives nil, anything else is an issue.
    static func whole(_ body: inout JSONObject, _ key: String) -> Int? {
        switch body.members[key] {
        case .none, .null?: return nil
        case .number(let value)? where value.rounded() == value && abs(value) < 1e9: return Int(value)
        case .some:
            body.append(FieldIssue(key, "Expected a whole number."))
            return nil
        }
    }

    /// `{"name", "segment_id", "template_id", "send_at", "variants"?, …}` → 201 with the draft.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageCampaigns)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let draft = Self.draft(&body, patch: false)
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        return try await respond(
            try await campaigns.create(principal, draft), viewer: principal.viewer, status: .created)
    }

    /// A merge patch of a draft.
    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let draft = Self.draft(&body, patch: true)
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        let current = try await campaigns.get(principal.viewer, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        return try await respond(
            try await campaigns.update(
                principal, id: id, draft, expectedVersion: request.headers[.ifMatch] == nil ? nil : current.version),
            viewer: principal.viewer)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await campaigns.delete(principal, id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    /// Sends a draft now, or schedules it for its `send_at`.
    @Sendable func send(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.send(principal, id: try context.parameters.require("id"))
        return try await respond(campaign, viewer: principal.viewer)
    }

    @Sendable func cancel(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.cancel(principal, id: try context.parameters.require("id"))
        return try await respond(campaign, viewer: principal.viewer)
    }

    /// A scheduled campaign back to a draft, to be changed and sent again.
    @Sendable func unschedule(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let campaign = try await campaigns.unschedule(principal, id: try context.parameters.require("id"))
        return try await respond(campaign, viewer: principal.viewer)
    }

    /// `{"variant"}`: the variant that goes to the rest when the test is not significant.
    @Sendable func winner(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let variant = body.string("variant")
        for key in body.members.keys.sorted() where key != "variant" { body.append(FieldIssue(key, "Unknown field.")) }
        if variant == nil, body.issues.isEmpty { body.append(FieldIssue("variant", "This field is required.")) }
        guard body.issues.isEmpty else { throw RapportError.invalid(body.issues) }
        _ = try await campaigns.get(principal.viewer, id: id)
        let campaign = try await campaigns.chooseWinner(principal, id: id, variant: variant)
        return try await respond(campaign, viewer: principal.viewer)
    }

    /// `?state=&limit=&cursor=`: the campaign's messages (owners and admins), newest first.
    @Sendable func messages(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let paging = try PageRequest(request)
        var state: OutboxState?
        if let text = request.uri.queryParameters["state"].map(String.init), !text.isEmpty {
            guard let known = OutboxState(rawValue: text) else {
                throw RapportError.invalid([
                    FieldIssue(
                        "state",
                        "Must be one of \(OutboxState.allCases.map(\.rawValue).joined(separator: ", ")).")
                ])
            }
            state = known
        }
        let rows = try await campaigns.messages(
            principal, id: id, state: state, limit: paging.limit + 1, before: paging.after)
        let page = Page(fetched: rows, limit: paging.limit) { PageKey(createdAt: $0.createdAt, id: $0.id) }
        let hidden = principal.viewer.hiddenFields(.contacts).contains("email")
        return try JSONCoding.response(
            JSONValue.object([
                "data": .array(page.items.map { CampaignBodies.message($0, hideAddress: hidden) }),
                "next_cursor": page.next.map { .string($0.cursor) } ?? .null,
            ]))
    }
}

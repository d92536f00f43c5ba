import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/pipelines`: every user reads them and their funnels; owners and admins make and change them,
/// stages included (`/pipelines/{id}/stages`).
package struct PipelinesController: Sendable {
    let services: Services
    var pipelines: PipelineService { PipelineService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("pipelines", use: list)
        idempotent.post("pipelines", use: create)
        api.get("pipelines/:id", use: get)
        idempotent.patch("pipelines/:id", use: patch)
        idempotent.delete("pipelines/:id", use: delete)
        idempotent.post("pipelines/:id/stages", use: addStage)
        idempotent.patch("pipelines/:id/stages/:stage_id", use: patchStage)
        idempotent.delete("pipelines/:id/stages/:stage_id", use: deleteStage)
        api.get("pipelines/:id/funnel", use: funnel)
    }

    func respond(_ pipeline: Pipeline, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            PipelineBody(pipeline: pipeline), id: pipeline.id, version: pipeline.version,
            collection: "/api/v1/pipelines", status: status)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(
            ListBody(
                data: try await pipelines.all(principal.viewer).map { PipelineBody(pipeline: $0) }, nextCursor: nil))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try respond(try await pipelines.get(principal.viewer, id: try context.parameters.require("id")))
    }

    /// `{"name", "currency"?, "stages": [{"name", "probability", "kind"}]}`.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.managePipelines)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let currency = Self.currency(&body)
        let stages = Self.stages(&body, required: true)
        var issues = body.issues
        issues += Self.unknown(body, allowed: ["name", "currency", "stages"])
        if name == nil, !issues.contains(where: { $0.field == "name" }) {
            issues.append(FieldIssue("name", "This field is required."))
        }
        guard issues.isEmpty, let name, let stages else { throw RapportError.invalid(issues) }
        let pipeline = try await pipelines.create(principal, name: name, currency: currency ?? nil, stages: stages)
        return try respond(pipeline, status: .created)
    }

    /// A merge patch of `name`, `currency` (null clears it) and `stages` (the whole list, in order: a
    /// stage with an `id` is kept, one without is new, one left out is removed; `?move_to=` names where
    /// the deals of removed stages go).
    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let currency = Self.currency(&body)
        let stages = Self.stages(&body, required: false)
        var issues = body.issues + Self.unknown(body, allowed: ["name", "currency", "stages"])
        if body.members["name"] == .null { issues.append(FieldIssue("name", "A pipeline needs a name.")) }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let current = try await pipelines.get(principal.viewer, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        let pipeline = try await pipelines.update(
            principal, id: id, name: name, currency: currency, stages: stages, moveTo: Self.moveTo(request),
            expectedVersion: request.headers[.ifMatch] == nil ? nil : current.version)
        return try respond(pipeline)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await pipelines.delete(principal, id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    /// `{"name", "probability", "kind", "position"?}` adds a stage (at the end unless `position` says).
    @Sendable func addStage(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        var issues: [FieldIssue] = []
        let stage = Self.stage(body.members, path: "", issues: &issues, allowPosition: true)
        issues += Self.unknown(body, allowed: ["name", "probability", "kind", "position"])
        guard issues.isEmpty, let stage else { throw RapportError.invalid(issues) }
        let current = try await pipelines.get(principal.viewer, id: id)
        var drafts = Self.drafts(current)
        drafts.insert(stage.draft, at: min(max(stage.position ?? drafts.count, 0), drafts.count))
        let pipeline = try await pipelines.update(principal, id: id, name: nil, currency: nil, stages: drafts)
        return try respond(pipeline, status: .created)
    }

    /// A merge patch of a stage's `name`, `probability`, `kind` and `position` (its place, from 0).
    @Sendable func patchStage(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let stageID = try context.parameters.require("stage_id").lowercased()
        let body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let current = try await pipelines.get(principal.viewer, id: id)
        guard let index = current.stages.firstIndex(where: { $0.id == stageID }) else {
            throw RapportError.notFound("The stage")
        }
        var drafts = Self.drafts(current)
        var members = body.members
        let old = current.stages[index]
        members["name"] = members["name"] ?? .string(old.name)
        members["probability"] = members["probability"] ?? .number(Double(old.probability))
        members["kind"] = members["kind"] ?? .string(old.kind.rawValue)
        var issues: [FieldIssue] = []
        let stage = Self.stage(members, path: "", issues: &issues, allowPosition: true)
        issues += body.issues + Self.unknown(body, allowed: ["name", "probability", "kind", "position"])
        guard issues.isEmpty, var stage else { throw RapportError.invalid(issues) }
        stage.draft.id = stageID
        drafts.remove(at: index)
        drafts.insert(stage.draft, at: min(max(stage.position ?? index, 0), drafts.count))
        return try respond(try await pipelines.update(principal, id: id, name: nil, currency: nil, stages: drafts))
    }

    /// Removes a stage; its deals move to `?move_to=` (required when it holds any: else 409 with the count).
    @Sendable func deleteStage(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let stageID = try context.parameters.require("stage_id").lowercased()
        let current = try await pipelines.get(principal.viewer, id: id)
        guard current.stage(stageID) != nil else { throw RapportError.notFound("The stage") }
        let drafts = Self.drafts(current).filter { $0.id != stageID }
        return try respond(
            try await pipelines.update(
                principal, id: id, name: nil, currency: nil, stages: drafts, moveTo: Self.moveTo(request)))
    }

    /// `?from=&to=&owner_id=`: how the viewer's deals went through the pipeline (docs/metrics.md).
    @Sendable func funnel(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let query = Dictionary(QueryItems.parse(request.uri.query), uniquingKeysWith: { first, _ in first })
        var issues: [FieldIssue] = []
        for key in query.keys.sorted() where !["from", "to", "owner_id"].contains(key) {
            issues.append(FieldIssue(key, "Unknown parameter."))
        }
        var window: TimeWindow?
        do {
            window = try TimeWindow.parse(from: query["from"], to: query["to"], now: Timestamp.micros(Date()))
        } catch let error as RapportError {
            issues += error.fields
        }
        if let owner = query["owner_id"], !RecordID.isWellFormed(owner) {
            issues.append(FieldIssue("owner_id", "No such user in this workspace."))
        }
        guard issues.isEmpty, let window else { throw RapportError.invalid(issues) }
        let funnel = try await pipelines.funnel(
            principal.viewer, pipelineID: id, ownerID: query["owner_id"]?.lowercased(), from: window.from, to: window.to
        )
        return try JSONCoding.response(FunnelBody(funnel: funnel))
    }

    // MARK: Reading bodies

    static func moveTo(_ request: Request) -> String? {
        QueryItems.parse(request.uri.query).first { $0.name == "move_to" }?.value.lowercased()
    }

    static func drafts(_ pipeline: Pipeline) -> [StageDraft] {
        pipeline.stages.map { StageDraft(id: $0.id, name: $0.name, probability: $0.probability, kind: $0.kind) }
    }

    static func unknown(_ body: JSONObject, allowed: Set<String>) -> [FieldIssue] {
        body.members.keys.sorted().filter { !allowed.contains($0) }.map { FieldIssue($0, "Unknown field.") }
    }

    /// `currency`: absent is nil, null is `.some(nil)`.
    static func currency(_ body: inout JSONObject) -> String?? {
        switch body.members["currency"] {
        case .none: return nil
        case .some(.null): return .some(nil)
        case .some(.string(let text)):
            if let code = Currencies.code(text) { return .some(code) }
        default: break
        }
        body.append(FieldIssue("currency", key: "currency", "Must be an ISO 4217 currency code such as DKK."))
        return nil
    }

    static func stages(_ body: inout JSONObject, required: Bool) -> [StageDraft]? {
        guard let value = body.members["stages"] else {
            if required { body.append(FieldIssue("stages", "This field is required.")) }
            return nil
        }
        guard case .array(let items) = value else {
            body.append(FieldIssue("stages", "Expected an array of stages."))
            return nil
        }
        var drafts: [StageDraft] = []
        var issues: [FieldIssue] = []
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                issues.append(FieldIssue("stages[\(index)]", "Expected an object."))
                continue
            }
            if let stage = stage(members, path: "stages[\(index)].", issues: &issues, allowPosition: false) {
                drafts.append(stage.draft)
            }
        }
        for issue in issues { body.append(issue) }
        return issues.isEmpty ? drafts : nil
    }

    static func stage(_ members: [String: JSONValue], path: String, issues: inout [FieldIssue], allowPosition: Bool)
        -> (draft: StageDraft, position: Int?)?
    {
        let before = issues.count
        var id: String?
        switch members["id"] {
        case .none, .some(.null): break
        case .some(.string(let text)) where RecordID.isWellFormed(text): id = text.lowercased()
        default: issues.append(FieldIssue("\(path)id", key: "no_such_stage", "No such stage."))
        }
        var name = ""
        if case .string(let text)? = members["name"] {
            name = text
        } else {
            issues.append(FieldIssue("\(path)name", key: "stage_name", "A stage needs a name of up to 100 characters."))
        }
        var probability = 0
        if case .number(let number)? = members["probability"], number.rounded() == number, abs(number) < 1e6 {
            probability = Int(number)  // (its range is the pipeline's rule, checked with the others)
        } else {
            issues.append(FieldIssue("\(path)probability", key: "stage_probability", "The probability is 0 to 100."))
        }
        var kind = StageKind.open
        if case .string(let text)? = members["kind"], let known = StageKind(rawValue: text) {
            kind = known
        } else {
            issues.append(FieldIssue("\(path)kind", key: "stage_kind", "The kind is open, won or lost."))
        }
        var position: Int?
        if allowPosition, let value = members["position"], value != .null {
            if case .number(let number) = value, number.rounded() == number, number >= 0, number < 1000 {
                position = Int(number)
            } else {
                issues.append(FieldIssue("\(path)position", "Expected a whole number of at least 0."))
            }
        }
        if !allowPosition {
            for key in members.keys.sorted() where !["id", "name", "probability", "kind"].contains(key) {
                issues.append(FieldIssue("\(path)\(key)", "Unknown field."))
            }
        }
        guard issues.count == before else { return nil }
        return (StageDraft(id: id, name: name, probability: probability, kind: kind), position)
    }
}

import Crypto
import Foundation
import HTTPTypes
package import Hummingbird
package import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/<object>` for every object of the catalogue: the same routes over each object's description.
package struct RecordsController: Sendable {
    let services: Services
    let service: RecordService
    let path: String

    package init(_ services: Services, schema: ObjectType) {
        self.services = services
        self.service = RecordService(services, schema: schema)
        self.path = schema.name
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get(RouterPath(path), use: list)
        idempotent.post(RouterPath(path), use: create)
        api.get(RouterPath("\(path)/:id"), use: get)
        idempotent.patch(RouterPath("\(path)/:id"), use: patch)
        idempotent.delete(RouterPath("\(path)/:id"), use: delete)
        idempotent.post(RouterPath("\(path)/:id/merge"), use: merge)
        if service.schema.timeline != nil {
            api.get(RouterPath("\(path)/:id/timeline"), use: timeline)
            idempotent.post(RouterPath("\(path)/:id/activities"), use: addActivity)
        }
        // The records that point to this one (a company's contacts), listed like any list of them.
        for (type, field) in ObjectCatalog.referrers(of: service.schema.name)
            + ObjectCatalog.listReferrers(of: service.schema.name)
        {
            api.get(RouterPath("\(path)/:id/\(type.name)")) { request, context in
                try await referrers(type, field: field, request: request, context: context)
            }
        }
    }

    static func actor(_ principal: Principal) -> Actor {
        Actor(principal.tokenID == nil ? .user : .api, id: principal.user.id)
    }

    func respond(_ record: Record, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            RecordBody(record: record, schema: service.schema), id: record.id, version: record.version,
            collection: "/api/v1/\(path)", status: status)
    }

    /// The version an `If-Match` names, when it names the current ETag format of this record.
    static func expectedVersion(_ request: Request, id: String) throws -> Int64? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let tag = header.trimmingCharacters(in: .whitespaces)
        if tag == "*" { return nil }
        let prefix = "\"\(id.suffix(12))-"
        guard tag.hasPrefix(prefix), tag.hasSuffix("\""), let version = Int64(tag.dropFirst(prefix.count).dropLast())
        else {
            throw RapportError(.stale, "The record has changed since it was read (If-Match does not match its ETag).")
        }
        return version
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try await listPage(request, principal: principal, scope: nil)
    }

    func referrers(_ type: ObjectType, field: String, request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            principal.viewer, id: try context.parameters.require("id"))
        return try await RecordsController(services, schema: type)
            .listPage(request, principal: principal, scope: (field, record.id))
    }

    /// - Parameter segmentID: only a saved segment's members (else `?segment_id=`, for contacts).
    func listPage(
        _ request: Request, principal: Principal, scope: (column: String, value: String)?, segmentID: String? = nil
    ) async throws -> Response {
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        let list = RecordListRequest(
            QueryItems.parse(request.uri.query), schema: service.schema, customFields: definitions)
        var issues: [FieldIssue] = []
        var page: PageRequest?
        do { page = try PageRequest(request, cursor: false) } catch let error as RapportError { issues += error.fields }
        issues += list.issues
        let segmentID = segmentID ?? request.uri.queryParameters["segment_id"].map(String.init)
        if segmentID != nil, service.schema.name != ObjectType.contacts.name {
            issues.append(FieldIssue("segment_id", "Only contacts are members of segments."))
        }
        guard issues.isEmpty, let page else { throw RapportError.invalid(issues) }
        var query = list.query
        try await SegmentService(services).apply(segmentID, to: &query, viewer: principal.viewer)
        let result = try await service.listBodies(
            principal.viewer, query: query, limit: page.limit, after: list.after, within: scope,
            search: list.search)
        return try JSONCoding.response(ListBody(data: result.bodies, nextCursor: result.next.map(list.cursorText)))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let fields = try await JSONCoding.decode(
            [String: JSONValue].self, from: request, limit: services.settings.jsonBodyLimit)
        let record = try await service.create(
            principal.viewer, fields: fields, actor: Self.actor(principal))
        return try respond(record, status: .created)
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await service.getBody(
            principal.viewer, id: try context.parameters.require("id"))
        let headers: HTTPFields = [.eTag: ETag.make(id: body.id, version: body.version)]
        return try JSONCoding.response(body, headers: headers)
    }

    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let fields = try await JSONCoding.decode(
            [String: JSONValue].self, from: request, limit: services.settings.jsonBodyLimit)
        _ = try await service.get(principal.viewer, id: id)
        let record = try await service.update(
            principal.viewer, id: id, patch: fields,
            expectedVersion: try Self.expectedVersion(request, id: id), actor: Self.actor(principal))
        return try respond(record)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        _ = try await service.get(principal.viewer, id: id)
        try await service.delete(
            principal.viewer, id: id, expectedVersion: try Self.expectedVersion(request, id: id),
            actor: Self.actor(principal))
        return Response(status: .noContent)
    }

    @Sendable func merge(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let otherID = body.string("other_id")
        var prefer: [String: String] = [:]
        var issues = body.issues
        switch body.members["prefer"] {
        case .none, .some(.null): break
        case .some(.object(let members)):
            for (field, choice) in members {
                if case .string(let text) = choice {
                    prefer[field] = text
                } else {
                    issues.append(FieldIssue("prefer.\(field)", "Must be this or other."))
                }
            }
        case .some(let other): issues.append(FieldIssue("prefer", "Expected an object, not \(other.typeName)."))
        }
        for key in body.members.keys where key != "other_id" && key != "prefer" {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if otherID == nil, !issues.contains(where: { $0.field == "other_id" }) {
            issues.append(FieldIssue("other_id", "This field is required."))
        }
        guard issues.isEmpty, let otherID else { throw RapportError.invalid(issues) }
        _ = try await service.get(principal.viewer, id: id)
        let record = try await service.merge(
            principal.viewer, id: id, otherID: otherID, prefer: prefer, actor: Self.actor(principal))
        return try respond(record)
    }

    @Sendable func timeline(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            principal.viewer, id: try context.parameters.require("id"))
        let page = try PageRequest(request)
        let types = (request.uri.queryParameters["type"].map(String.init) ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let unknown = types.filter { !TimelineEvent.types.contains($0) }
        if !unknown.isEmpty {
            throw RapportError.invalid([FieldIssue("type", "Unknown event type: \(unknown.joined(separator: ", ")).")])
        }
        let events = try await TimelineService(services).page(
            principal.viewer, of: service.schema, id: record.id, types: types, limit: page.limit,
            after: page.after)
        return try JSONCoding.response(
            ListBody(data: events.items.map(EventBody.init), nextCursor: events.next?.cursor))
    }

    @Sendable func addActivity(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let type = body.string("type")
        let text = body.string("body")
        let occurredAt = body.string("occurred_at")
        var issues = body.issues
        var minutes: Double?
        switch body.members["duration_minutes"] {
        case .none, .some(.null): break
        case .some(.number(let number)): minutes = number
        case .some(let other):
            issues.append(FieldIssue("duration_minutes", "Expected a number, not \(other.typeName)."))
        }
        for key in body.members.keys where !["type", "body", "occurred_at", "duration_minutes"].contains(key) {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        _ = try await service.get(principal.viewer, id: id)
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let event = try await service.addActivity(
            principal.viewer, id: id,
            draft: ActivityDraft(type: type, body: text, occurredAt: occurredAt, durationMinutes: minutes),
            actor: Self.actor(principal))
        return try JSONCoding.response(EventBody(event: event), status: .created)
    }
}

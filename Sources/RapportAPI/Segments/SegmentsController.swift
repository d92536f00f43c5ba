import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/segments`: saved segments (named queries of the segment language over contacts), their
/// counts and members now, and previews of a query before it is saved.
package struct SegmentsController: Sendable {
    let services: Services
    var segments: SegmentService { SegmentService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("segments", use: list)
        idempotent.post("segments", use: create)
        idempotent.post("segments/preview", use: preview)
        api.get("segments/:id", use: get)
        idempotent.patch("segments/:id", use: patch)
        idempotent.delete("segments/:id", use: delete)
        api.get("segments/:id/count", use: count)
        api.get("segments/:id/members", use: members)
    }

    func respond(_ segment: Segment, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            SegmentBody(segment), id: segment.id, version: segment.version, collection: "/api/v1/segments",
            status: status)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(
            ListBody(data: try await segments.all(principal.viewer).map(SegmentBody.init), nextCursor: nil))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try respond(try await segments.get(principal.viewer, id: try context.parameters.require("id")))
    }

    /// `{"name", "query"}` → 201; 422 with the query's issues, each with its `line` and `column`.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let query = body.string("query")
        let issues = body.issues + Self.unknown(body, allowed: ["name", "query"])
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return try respond(try await segments.create(principal.viewer, name: name, query: query), status: .created)
    }

    /// A merge patch of `name` and `query`.
    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let query = body.string("query")
        var issues = body.issues + Self.unknown(body, allowed: ["name", "query"])
        if body.members["name"] == .null { issues.append(FieldIssue("name", "A segment needs a name.")) }
        if body.members["query"] == .null { issues.append(FieldIssue("query", "A segment needs a query.")) }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let current = try await segments.get(principal.viewer, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        return try respond(
            try await segments.update(principal, id: id, name: name, query: query, expectedVersion: current.version))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await segments.delete(principal, id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    @Sendable func count(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let count = try await segments.count(principal.viewer, id: try context.parameters.require("id"))
        return try JSONCoding.response(SegmentCountBody(count: count))
    }

    /// The members as the contacts list gives them (filters, sort and cursor paging included).
    @Sendable func members(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        _ = try await segments.get(principal.viewer, id: id)
        return try await RecordsController(services, schema: .contacts)
            .listPage(request, principal: principal, scope: nil, segmentID: id)
    }

    /// `{"query"}` → `{"count", "sample"}` (the first 10 members, newest first), or 422 with its issues.
    @Sendable func preview(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let query = body.string("query")
        var issues = body.issues + Self.unknown(body, allowed: ["query"])
        if query == nil, !issues.contains(where: { $0.field == "query" }) {
            issues.append(FieldIssue("query", "This field is required."))
        }
        guard issues.isEmpty, let query else { throw RapportError.invalid(issues) }
        let preview = try await segments.preview(principal.viewer, query: query)
        return try JSONCoding.response(
            SegmentPreviewBody(
                count: preview.count,
                sample: preview.sample.map {
                    RecordBody(record: $0, schema: .contacts, hidden: principal.viewer.hiddenFields(.contacts))
                }))
    }

    static func unknown(_ body: JSONObject, allowed: Set<String>) -> [FieldIssue] {
        body.members.keys.filter { !allowed.contains($0) }.sorted().map { FieldIssue($0, "Unknown field.") }
    }
}

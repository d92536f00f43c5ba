import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/email-topics`: the kinds of marketing mail a workspace sends, which contacts keep or drop in the
/// preference centre (docs/email.md). Everyone reads them; owners and admins write them.
package struct EmailTopicsController: Sendable {
    let services: Services
    var topics: EmailTopicService { EmailTopicService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("email-topics", use: list)
        idempotent.post("email-topics", use: create)
        api.get("email-topics/:id", use: get)
        idempotent.patch("email-topics/:id", use: patch)
        idempotent.delete("email-topics/:id", use: delete)
    }

    func respond(_ topic: EmailTopic, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            EmailTopicBody(topic), id: topic.id, version: topic.version, collection: "/api/v1/email-topics",
            status: status)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(
            ListBody(data: try await topics.all(principal.viewer).map(EmailTopicBody.init), nextCursor: nil))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try respond(try await topics.get(principal.viewer, id: try context.parameters.require("id")))
    }

    /// `{"name", "description"}` → 201.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageEmail)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let description = body.members["description"] == .null ? nil : body.string("description")
        var issues = body.issues + Self.unknown(body)
        // (every issue at once: the topic's own rules too)
        issues += EmailTopic.issues(name: name, description: description).filter { issue in
            !issues.contains { $0.field == issue.field }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return try respond(try await topics.create(principal, name: name, description: description), status: .created)
    }

    /// A merge patch of `name` and `description` (`null` removes the description).
    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        var description: String??
        if body.members["description"] == .null {
            description = .some(nil)
        } else if body.members["description"] != nil {
            description = body.string("description").map { .some($0) }
        }
        var issues = body.issues + Self.unknown(body)
        if body.members["name"] == .null { issues.append(FieldIssue("name", "A topic needs a name.")) }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let current = try await topics.get(principal.viewer, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        return try respond(
            try await topics.update(
                principal, id: id, name: name, description: description, expectedVersion: current.version))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        _ = try await topics.get(principal.viewer, id: id)
        try await topics.delete(principal, id: id)
        return Response(status: .noContent)
    }

    static func unknown(_ body: JSONObject) -> [FieldIssue] {
        body.members.keys.filter { $0 != "name" && $0 != "description" }.sorted().map {
            FieldIssue($0, "Unknown field.")
        }
    }
}

/// An email topic as the API shows it (`openapi.yaml`: EmailTopic).
struct EmailTopicBody: Encodable, Sendable {
    var id: String
    var name: String
    @Nullable var description: String?
    var createdAt: String
    var updatedAt: String

    init(_ topic: EmailTopic) {
        id = topic.id
        name = topic.name
        description = topic.description
        createdAt = Timestamp.rfc3339(topic.createdAt)
        updatedAt = Timestamp.rfc3339(topic.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

}

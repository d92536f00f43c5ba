import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/templates`: email templates with placeholders (docs/email.md). Everyone reads them; owners and
/// admins write them.
package struct TemplatesController: Sendable {
    let services: Services
    var templates: TemplateService { TemplateService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("templates", use: list)
        idempotent.post("templates", use: create)
        api.get("templates/:id", use: get)
        idempotent.patch("templates/:id", use: patch)
        idempotent.delete("templates/:id", use: delete)
        api.post("templates/:id/preview", use: preview)
    }

    func respond(_ template: StoredTemplate, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            EmailBodies.template(template), id: template.id, version: template.version, collection: "/api/v1/templates",
            status: status)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let all = try await templates.all(principal.viewer)
        return try JSONCoding.response(
            JSONValue.object(["data": .array(all.map(EmailBodies.template)), "next_cursor": .null]))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try respond(try await templates.get(principal.viewer, id: try context.parameters.require("id")))
    }

    static func draft(_ body: inout JSONObject) -> TemplateService.Draft {
        for key in body.members.keys.sorted()
        where !["name", "kind", "subject", "html", "text", "topic_id"].contains(key) {
            body.append(FieldIssue(key, "Unknown field."))
        }
        var draft = TemplateService.Draft(name: body.string("name"), subject: body.string("subject"))
        if let kind = body.string("kind") {
            if let known = TemplateKind(rawValue: kind) {
                draft.kind = known
            } else {
                body.append(FieldIssue("kind", "Must be marketing or transactional."))
            }
        }
        for key in ["html", "text", "topic_id"] {
            var value: String??
            if body.members[key] == .null {
                value = .some(nil)
            } else if body.members[key] != nil {
                value = body.string(key).map { .some($0) }
            }
            switch key {
            case "html": draft.html = value
            case "text": draft.text = value
            default: draft.topicID = value
            }
        }
        return draft
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageEmail)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let draft = Self.draft(&body)
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        return try respond(try await templates.create(principal, draft), status: .created)
    }

    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let draft = Self.draft(&body)
        for key in ["name", "kind", "subject"] where body.members[key] == .null {
            body.append(FieldIssue(key, "This field cannot be cleared."))
        }
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        let current = try await templates.get(principal.viewer, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        try Access(principal).require(.manageEmail)
        return try respond(
            try await templates.update(
                principal, id: id, draft, expectedVersion: request.headers[.ifMatch] == nil ? nil : current.version))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        _ = try await templates.get(principal.viewer, id: id)
        try await templates.delete(principal, id: id)
        return Response(status: .noContent)
    }

    /// `{"contact_id"}`: the template rendered for a contact the caller may see.
    @Sendable func preview(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let contactID = body.string("contact_id")
        for key in body.members.keys.sorted() where key != "contact_id" {
            body.append(FieldIssue(key, "Unknown field."))
        }
        if contactID == nil, body.issues.isEmpty { body.append(FieldIssue("contact_id", "This field is required.")) }
        guard body.issues.isEmpty, let contactID else { throw RapportError.invalid(body.issues) }
        _ = try await templates.get(principal.viewer, id: id)
        return try JSONCoding.response(
            EmailBodies.rendered(try await templates.preview(principal, id: id, contactID: contactID)))
    }
}

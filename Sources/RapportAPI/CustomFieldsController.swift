import Crypto
import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/custom-fields` and `/api/v1/audit`.
package struct CustomFieldsController: Sendable {
    let services: Services
    var fields: CustomFieldService { CustomFieldService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("custom-fields", use: list)
        idempotent.post("custom-fields", use: create)
        idempotent.patch("custom-fields/:id", use: patch)
        idempotent.delete("custom-fields/:id", use: delete)
        api.get("audit", use: audit)
    }

    /// Derived from what a client can change, so it changes exactly when the definition does.
    static func etag(_ definition: CustomFieldDefinition) -> String {
        let digest = SHA256.hash(
            data: Data("\(definition.label)\u{1F}\(definition.options.joined(separator: "\u{1F}"))".utf8))
        return "\"cf-\(Hex.encode(digest.prefix(8)))\""
    }

    static func requireManager(_ principal: Principal) throws {
        try Access(principal).require(.manageCustomFields)
    }

    func respond(_ definition: CustomFieldDefinition, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.response(
            CustomFieldBody(definition: definition), status: status, headers: [.eTag: Self.etag(definition)])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let object = request.uri.queryParameters["object"].map(String.init)
        if let object, !CustomFieldDefinition.objects.contains(object) {
            throw RapportError.invalid([
                FieldIssue("object", "Object must be one of \(ObjectCatalog.names.joined(separator: ", ")).")
            ])
        }
        let definitions = try await fields.list(principal, object: object)
        return try JSONCoding.response(ListBody(data: definitions.map(CustomFieldBody.init), nextCursor: nil))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireManager(principal)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let object = body.string("object")
        let key = body.string("key")
        let label = body.string("label")
        let type = body.string("type")
        let options = body.strings("options")
        var issues = body.issues
        for name in body.members.keys where !["object", "key", "label", "type", "options"].contains(name) {
            issues.append(FieldIssue(name, "Unknown field."))
        }
        let definition = try await fields.create(
            principal, object: object, key: key, label: label, type: type, options: options, issues: issues)
        return try respond(definition, status: .created)
    }

    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireManager(principal)
        var definition = try await fields.get(principal, id: try context.parameters.require("id"))
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        var issues: [FieldIssue] = []
        if body.members.keys.contains("label") {
            let label = (body.string("label") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if let issue = CustomFieldDefinition.labelIssue(label) {
                issues.append(issue)
            } else {
                definition.label = label
            }
        }
        if body.members.keys.contains("options") {
            let options = body.strings("options") ?? []
            if let issue = CustomFieldDefinition.optionsIssue(options, type: definition.type) {
                issues.append(issue)
            } else {
                definition.options = options
            }
        }
        for name in body.members.keys where name != "label" && name != "options" {
            issues.append(
                FieldIssue(
                    name,
                    name == "type" || name == "key" || name == "object" ? "This cannot be changed." : "Unknown field."))
        }
        issues = body.issues + issues.filter { issue in !body.issues.contains { $0.field == issue.field } }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        try ETag.check(request, current: Self.etag(try await fields.get(principal, id: definition.id)))
        try await fields.update(principal, definition)
        return try respond(definition)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireManager(principal)
        let definition = try await fields.get(principal, id: try context.parameters.require("id"))
        try ETag.check(request, current: Self.etag(definition))
        try await fields.delete(principal, definition)
        return Response(status: .noContent)
    }

    @Sendable func audit(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let recordID = request.uri.queryParameters["record_id"].map(String.init)
        let page = try PageRequest(request)
        let entries = try await TimelineService(services).audit(
            principal, recordID: recordID, limit: page.limit, after: page.after)
        return try JSONCoding.response(
            ListBody(data: entries.items.map(AuditBody.init), nextCursor: entries.next?.cursor))
    }
}

import Crypto
import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices
import RapportStore

/// `/api/v1/custom-fields` and `/api/v1/audit`.
package struct CustomFieldsController: Sendable {
    let services: Services
    var repository: CustomFieldRepository { CustomFieldRepository(store: services.store) }

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
        let definitions = try await repository.all(workspaceID: principal.workspace.id, object: object)
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
        do {
            let valid = try CustomFieldDefinition.validate(
                object: object, key: key, label: label, type: type, options: options)
            guard issues.isEmpty else { throw RapportError.invalid(issues) }
            let definition = CustomFieldDefinition(
                id: RecordID.make(), workspaceID: principal.workspace.id, object: valid.object, key: valid.key,
                label: valid.label, type: valid.type, options: valid.options, createdAt: Timestamp.micros(Date()))
            try await repository.create(definition)
            return try respond(definition, status: .created)
        } catch let error as RapportError where error.code == .invalid {
            let named = Set(issues.map(\.field))
            throw RapportError.invalid(issues + error.fields.filter { !named.contains($0.field) })
        }
    }

    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireManager(principal)
        var definition = try await repository.require(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
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
        try ETag.check(
            request,
            current: Self.etag(
                try await repository.find(workspaceID: principal.workspace.id, id: definition.id) ?? definition))
        try await repository.update(definition)
        return try respond(definition)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireManager(principal)
        let definition = try await repository.require(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        try ETag.check(request, current: Self.etag(definition))
        try await repository.delete(definition)
        return Response(status: .noContent)
    }

    @Sendable func audit(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.readAudit)
        guard let recordID = request.uri.queryParameters["record_id"].map(String.init), !recordID.isEmpty else {
            throw RapportError.invalid([FieldIssue("record_id", "This parameter is required.")])
        }
        let page = try PageRequest(request)
        guard RecordID.isWellFormed(recordID) else {
            return try JSONCoding.response(ListBody<AuditBody>(data: [], nextCursor: nil))
        }
        let entries = try await TimelineRepository(store: services.store).auditPage(
            workspaceID: principal.workspace.id, recordID: recordID, limit: page.limit, after: page.after)
        return try JSONCoding.response(
            ListBody(data: entries.items.map(AuditBody.init), nextCursor: entries.next?.cursor))
    }
}

/// An audit entry as the API shows it.
struct AuditBody: Encodable, Sendable {
    let entry: AuditEntry

    enum CodingKeys: String, CodingKey {
        case id, action, actor, changes, at
        case recordType = "record_type"
        case recordID = "record_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.id, forKey: .id)
        try container.encode(entry.recordType, forKey: .recordType)
        try container.encode(entry.recordID, forKey: .recordID)
        try container.encode(entry.action, forKey: .action)
        try container.encode(entry.actor, forKey: .actor)
        try container.encode(entry.changes, forKey: .changes)
        try container.encode(Timestamp.rfc3339(entry.at), forKey: .at)
    }
}

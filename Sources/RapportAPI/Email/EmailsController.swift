import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/emails`: transactional sends through the outbox, and the outbox's rows.
package struct EmailsController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        idempotent.post("emails", use: send)
        api.get("emails", use: list)
    }

    /// `{"template_id","contact_id","purpose"}` → 202 with the outbox row (the same row again for the same
    /// template, purpose and contact, or the same `Idempotency-Key`).
    @Sendable func send(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let templateID = body.string("template_id")
        let contactID = body.string("contact_id")
        let purpose = body.members["purpose"] == .null ? nil : body.string("purpose")
        for key in body.members.keys.sorted() where !["template_id", "contact_id", "purpose"].contains(key) {
            body.append(FieldIssue(key, "Unknown field."))
        }
        if templateID == nil, body.members["template_id"] == nil {
            body.append(FieldIssue("template_id", "This field is required."))
        }
        if contactID == nil, body.members["contact_id"] == nil {
            body.append(FieldIssue("contact_id", "This field is required."))
        }
        if let purpose, purpose.count > 100 { body.append(FieldIssue("purpose", "At most 100 characters.")) }
        guard body.issues.isEmpty, let templateID, let contactID else { throw RapportError.invalid(body.issues) }
        let (message, _) = try await EmailService(services).send(
            principal, templateID: templateID, contactID: contactID, purpose: purpose,
            key: request.headers[HTTPField.Name("Idempotency-Key")!])
        return try JSONCoding.response(EmailBodies.message(message), status: .accepted)
    }

    /// `?contact_id=&limit=&cursor=`: outbox rows, newest first.
    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = Dictionary(QueryItems.parse(request.uri.query), uniquingKeysWith: { first, _ in first })
        var issues: [FieldIssue] = []
        for key in query.keys.sorted() where !["contact_id", "limit", "cursor"].contains(key) {
            issues.append(FieldIssue(key, "Unknown parameter."))
        }
        var limit = 50
        if let text = query["limit"] {
            if let value = Int(text), (1...200).contains(value) {
                limit = value
            } else {
                issues.append(FieldIssue("limit", "The limit is 1 to 200."))
            }
        }
        var before: (Int64, String)?
        if let cursor = query["cursor"] {
            let parts = cursor.split(separator: "_")
            if parts.count == 2, let at = Int64(parts[0]), RecordID.isWellFormed(String(parts[1])) {
                before = (at, String(parts[1]))
            } else {
                issues.append(FieldIssue("cursor", "Not a cursor this list gave."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let rows = try await EmailService(services).list(
            principal, contactID: query["contact_id"], limit: limit + 1, before: before)
        let page = Array(rows.prefix(limit))
        let hides = principal.viewer.hiddenFields(.contacts).contains("email")
        let next: JSONValue =
            rows.count > limit ? page.last.map { .string("\($0.createdAt)_\($0.id)") } ?? .null : .null
        return try JSONCoding.response(
            JSONValue.object([
                "data": .array(page.map { EmailBodies.message($0, hideAddress: hides) }), "next_cursor": next,
            ]))
    }
}

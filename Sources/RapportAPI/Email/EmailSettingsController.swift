import Foundation
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/settings/email`: the workspace's SMTP server and sender, for owners and admins. The password is
/// written, never read back (`password_set` says whether there is one).
package struct EmailSettingsController: Sendable {
    let services: Services
    var settings: EmailSettingsService { EmailSettingsService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("settings/email", use: get)
        idempotent.put("settings/email", use: put)
        idempotent.post("settings/email/test", use: test)
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // (a workspace that has saved none answers `configured: false`: the settings exist for every workspace)
        return try JSONCoding.response(EmailBodies.settings(try await settings.get(principal)))
    }

    /// `{"smtp_host","smtp_port","username","password","from","from_name","reply_to","tls"}`; a password left
    /// out keeps the stored one, null removes it.
    @Sendable func put(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageEmail)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let allowed: Set<String> = [
            "smtp_host", "smtp_port", "username", "password", "from", "from_name", "reply_to", "tls",
        ]
        for key in body.members.keys.sorted() where !allowed.contains(key) {
            body.append(FieldIssue(key, "Unknown field."))
        }
        var port: Int?
        switch body.members["smtp_port"] {
        case .number(let number)? where number.rounded() == number && abs(number) < 1e9: port = Int(number)
        case .none: body.append(FieldIssue("smtp_port", "This field is required."))
        default: body.append(FieldIssue("smtp_port", "The port is a whole number from 1 to 65535."))
        }
        func optional(_ key: String) -> String? {
            if body.members[key] == .null { return nil }
            return body.string(key)
        }
        var password: String??
        switch body.members["password"] {
        case .none: password = nil
        case .null?: password = .some(nil)
        default: password = .some(body.string("password"))
        }
        let draft = EmailSettingsService.Draft(
            host: body.string("smtp_host"), port: port, tls: body.string("tls"), username: optional("username"),
            password: password, from: body.string("from"), fromName: optional("from_name"),
            replyTo: optional("reply_to"))
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        return try JSONCoding.response(EmailBodies.settings(try await settings.put(principal, draft)))
    }

    /// `{"to"}`: sends a test message now and answers what the server said.
    @Sendable func test(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageEmail)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let to = body.string("to")
        for key in body.members.keys.sorted() where key != "to" { body.append(FieldIssue(key, "Unknown field.")) }
        if to == nil, body.issues.isEmpty { body.append(FieldIssue("to", "This field is required.")) }
        guard body.issues.isEmpty, let to else { throw RapportError.invalid(body.issues) }
        let result = try await settings.sendTest(principal, to: to)
        return try JSONCoding.response(
            JSONValue.object([
                "accepted": .bool(result.accepted), "outcome": .string(result.outcome),
                "reply": EmailBodies.text(result.reply), "detail": EmailBodies.text(result.detail),
            ]))
    }
}

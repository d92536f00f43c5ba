import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/me`, `/api/v1/tokens` and `/api/v1/users`.
package struct AccountsController: Sendable {
    let services: Services
    var accounts: AccountService { AccountService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    /// Registers the routes: writes on `idempotent` (which replays repeated `Idempotency-Key`s), except
    /// creating a token, whose secret must never be stored, which goes on `api`.
    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("me", use: me)
        idempotent.patch("me", use: patchMe)
        api.get("tokens", use: listTokens)
        api.post("tokens", use: createToken)
        idempotent.delete("tokens/:id", use: revokeToken)
        api.get("users", use: listUsers)
        idempotent.post("users", use: createUser)
        api.get("users/:id", use: getUser)
        idempotent.patch("users/:id", use: patchUser)
    }

    @Sendable func me(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try await meResponse(principal)
    }

    func meResponse(_ principal: Principal) async throws -> Response {
        let teams = try await TeamService(services).teams(of: principal.user.id, workspaceID: principal.workspace.id)
        return try JSONCoding.response(
            MeBody(principal, teams: teams),
            headers: [.eTag: ETag.make(id: principal.user.id, version: principal.user.version)])
    }

    /// A JSON merge patch of `name`, `language`, `time_zone` and `calendar`; unknown members and `null` for required fields answer 422.
    @Sendable func patchMe(_ request: Request, context: AppContext) async throws -> Response {
        var principal = try context.requirePrincipal()
        let patch = try await JSONCoding.decode(
            [String: JSONValue].self, from: request, limit: services.settings.jsonBodyLimit)
        var issues: [FieldIssue] = []
        var name: String?
        var language: Language?
        var timeZone: String?
        var calendar: CalendarChoice?
        var digest: DigestChoice?
        for (key, value) in patch.sorted(by: { $0.key < $1.key }) {
            switch (key, value) {
            case ("name", .string(let text)):
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if let issue = UserProfile.profileNameIssue(trimmed) {
                    issues.append(issue)
                } else {
                    name = trimmed
                }
            case ("name", _):
                issues.append(FieldIssue("name", "Expected a string, not \(value.typeName)."))
            case ("language", .string(let text)):
                if let parsed = Language(rawValue: text) {
                    language = parsed
                } else {
                    issues.append(UserProfile.languageIssue)
                }
            case ("language", _):
                issues.append(UserProfile.languageIssue)
            case ("time_zone", .string(let text)) where UserProfile.timeZone(text) != nil:
                timeZone = text
            case ("time_zone", _):
                issues.append(UserProfile.timeZoneIssue)
            case ("calendar", .string(let text)) where CalendarChoice(rawValue: text) != nil:
                calendar = CalendarChoice(rawValue: text)
            case ("calendar", _):
                issues.append(UserProfile.calendarIssue)
            case ("digest", .string(let text)) where DigestChoice(rawValue: text) != nil:
                digest = DigestChoice(rawValue: text)
            case ("digest", _):
                issues.append(FieldIssue("digest", key: "digest_choice", "Digest must be none or daily."))
            default:
                issues.append(FieldIssue(key, "This field cannot be changed here."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        try ETag.check(request, current: ETag.make(id: principal.user.id, version: principal.user.version))
        let expected = request.headers[.ifMatch] == nil ? nil : principal.user.version
        principal.user = try await accounts.updateProfile(
            of: principal, name: name, language: language, timeZone: timeZone, calendar: calendar, digest: digest,
            expectedVersion: expected)
        return try await meResponse(principal)
    }

    @Sendable func listTokens(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let page = try PageRequest(request)
        let tokens = try await accounts.tokens(of: principal, limit: page.limit, after: page.after)
        return try JSONCoding.response(
            ListBody(data: tokens.items.map(TokenBody.init), nextCursor: tokens.next?.cursor))
    }

    @Sendable func createToken(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let text = body.string("name")
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        let (token, secret) = try await accounts.createToken(named: text, for: principal)
        return try JSONCoding.response(
            CreatedTokenBody(
                id: token.id, name: token.name, token: secret, createdAt: Timestamp.rfc3339(token.createdAt)),
            status: .created, headers: [.location: "/api/v1/tokens/\(token.id)"])
    }

    @Sendable func revokeToken(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        try await accounts.revokeToken(id, of: principal)
        return Response(status: .noContent)
    }

    @Sendable func listUsers(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let page = try PageRequest(request)
        let users = try await accounts.users(of: principal, limit: page.limit, after: page.after)
        return try JSONCoding.response(ListBody(data: users.items.map(UserBody.init), nextCursor: users.next?.cursor))
    }

    @Sendable func createUser(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageUsers)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let draft = UserDraft(
            email: body.string("email"), name: body.string("name"), role: body.string("role"),
            password: body.string("password"), language: body.string("language"))
        // Wrongly typed members first, then what validation finds in the rest.
        var issues = body.issues
        let wrongType = Set(issues.map(\.field))
        do {
            _ = try draft.validate()
        } catch let error as RapportError where error.code == .invalid {
            issues += error.fields.filter { !wrongType.contains($0.field) }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let user = try await accounts.createUser(
            workspaceID: principal.workspace.id, draft: draft, actor: principal.user)
        return try JSONCoding.response(
            UserBody(user), status: .created,
            headers: [.location: "/api/v1/users/\(user.id)", .eTag: ETag.make(id: user.id, version: user.version)])
    }

    @Sendable func getUser(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let user = try await accounts.user(try context.parameters.require("id"), of: principal)
        return try JSONCoding.response(UserBody(user), headers: [.eTag: ETag.make(id: user.id, version: user.version)])
    }

    /// Gives a user another role (`role`: a built-in name or a custom role's id) or (de)activates them
    /// (`active`).
    @Sendable func patchUser(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let role = body.string("role")
        var issues = body.issues
        var active: Bool?
        switch body.members["active"] {
        case .none: break
        case .some(.bool(let flag)): active = flag
        case .some(let other): issues.append(FieldIssue("active", "Expected a boolean, not \(other.typeName)."))
        }
        for key in body.members.keys.sorted() where !["role", "active"].contains(key) {
            issues.append(FieldIssue(key, "This field cannot be changed here."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        var user = try await accounts.user(id, of: principal)
        try ETag.check(request, current: ETag.make(id: user.id, version: user.version))
        if let role { user = try await accounts.changeRole(of: user.id, to: role, by: principal) }
        if let active { user = try await accounts.setActive(user.id, active, by: principal) }
        return try JSONCoding.response(UserBody(user), headers: [.eTag: ETag.make(id: user.id, version: user.version)])
    }
}

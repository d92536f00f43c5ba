import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/invites`: inviting people by a one-time sign-up link (owners and admins). Signing up with
/// a link is done on the web page the link opens.
package struct InvitesController: Sendable {
    let services: Services
    var invites: InviteService { InviteService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    /// Registers the routes. Making an invitation goes on `api`, not `idempotent`: its answer carries the
    /// link, which must never be stored (a replay would have to keep it).
    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("invites", use: list)
        api.post("invites", use: create)
        idempotent.delete("invites/:id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageUsers)
        let page = try PageRequest(request)
        let found = try await invites.open(of: principal, limit: page.limit, after: page.after)
        let now = Timestamp.micros(Date())
        return try JSONCoding.response(
            ListBody(data: found.items.map { InviteBody($0, now: now) }, nextCursor: found.next?.cursor))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageUsers)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let draft = InviteDraft(email: body.string("email"), role: body.string("role"), name: body.string("name"))
        // Wrongly typed and unknown members, then what validation finds in the rest.
        var issues = body.issues
        for key in body.members.keys.sorted() where !["email", "role", "name"].contains(key) {
            issues.append(FieldIssue(key, "This field is not part of an invitation."))
        }
        let wrongType = Set(issues.map(\.field))
        do {
            _ = try draft.validate()
        } catch let error as RapportError where error.code == .invalid {
            issues += error.fields.filter { !wrongType.contains($0.field) }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let created = try await invites.create(draft, by: principal)
        let link = invites.link(
            token: created.token, origin: RequestOrigin.of(request, secure: services.settings.secureCookies))
        return try JSONCoding.response(
            InviteBody(created.invite, now: Timestamp.micros(Date()), link: link), status: .created,
            headers: [.location: "/api/v1/invites/\(created.invite.id)"])
    }

    @Sendable func revoke(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await invites.revoke(try context.parameters.require("id"), by: principal)
        return Response(status: .noContent)
    }
}

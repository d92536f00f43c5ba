import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// What the users page shows of the invitation form: what was typed, why it was refused, and the link
/// made just now (shown once).
struct InviteFormState {
    var email: String?
    var role: String?
    var errors: [String: String] = [:]
    var newLink: (invite: Invite, link: String)?
}

/// Inviting people from the users page (owners and admins): a new invitation or a new link for one
/// answers with the users page showing the link once; revoking leads back to it.
struct InvitePages: Sendable {
    let invites: InviteService
    let users: UserPages
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.post(RouterPath(WebPath.invites), use: create)
        group.post(RouterPath(WebPath.renewInvite(":id")), use: renew)
        group.post(RouterPath(WebPath.revokeInvite(":id")), use: revoke)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            let created = try await invites.create(
                InviteDraft(email: form["email"], role: form["role"]), by: principal)
            return try await users.users(
                invite: InviteFormState(newLink: (created.invite, link(created, request))), request: request,
                context: context)
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            let messages = pages.catalog.table(principal.user.language)
            var errors: [String: String] = [:]
            for issue in error.fields.isEmpty ? [FieldIssue("email", error.detail)] : error.fields {
                errors[issue.field] =
                    issue.field != "email"
                    ? issue.message
                    : messages[error.code == .conflict ? "invite_email_taken" : "invite_email_invalid"]
                        ?? issue.message
            }
            return try await users.users(
                invite: InviteFormState(email: form["email"], role: form["role"], errors: errors), request: request,
                context: context)
        }
    }

    @Sendable func renew(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let created = try await invites.renew(try context.parameters.require("id"), by: principal)
        return try await users.users(
            invite: InviteFormState(newLink: (created.invite, link(created, request))), request: request,
            context: context)
    }

    @Sendable func revoke(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await invites.revoke(try context.parameters.require("id"), by: principal)
        return pages.redirect(WebPath.users, flash: Flash("invite_revoked"))
    }

    func link(_ created: CreatedInvite, _ request: Request) -> String {
        invites.link(token: created.token, origin: RequestOrigin.of(request, secure: pages.cookies.secure))
    }
}

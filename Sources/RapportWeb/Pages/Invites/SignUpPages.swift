import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import RapportCore
import RapportHTTP
import RapportServices

/// The public sign-up page of an invitation link: no session needed, CSRF-protected like the sign-in
/// page. Signing up creates the user and signs them in, as signing in does.
struct SignUpPages: Sendable {
    let invites: InviteService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.invite(":token")), use: signUpPage)
        group.post(RouterPath(WebPath.invite(":token")), use: signUp)
    }

    @Sendable func signUpPage(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        do {
            let (invite, workspace) = try await invites.lookup(token: token)
            return form(
                invite: invite, workspace: workspace, name: invite.name, token: token, request: request,
                context: context)
        } catch let error as RapportError {
            return invalid(error, request: request, context: context)
        }
    }

    @Sendable func signUp(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        var request = request
        let form = try await Form.read(&request)
        let language = Pages.language(request, context)
        do {
            let principal = try await invites.accept(
                token: token, name: form["name"], password: form["password"] ?? "",
                confirmation: form["password_confirmation"] ?? "", language: language)
            context.sessions.createSession(WebSession(userID: principal.user.id, workspaceID: principal.workspace.id))
            context.logger.info(
                "signed up by invitation",
                metadata: ["user.id": .string(principal.user.id), "workspace.id": .string(principal.workspace.id)])
            return Pages.redirect(WebPath.home)
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            // The form again, with the link still good (a link that stopped working meanwhile says so).
            let (invite, workspace): (Invite, Workspace)
            do {
                (invite, workspace) = try await invites.lookup(token: token)
            } catch let error as RapportError {
                return invalid(error, request: request, context: context)
            }
            let messages = pages.catalog.table(language)
            var errors: [String: String] = [:]
            for issue in error.fields.isEmpty ? [FieldIssue("name", error.detail)] : error.fields {
                errors[issue.field] =
                    switch issue.field {
                    case "password": messages["password_rule"] ?? issue.message
                    case "password_confirmation": messages["password_mismatch"] ?? issue.message
                    case "email": messages["invite_email_taken"] ?? issue.message
                    default: issue.message
                    }
            }
            return self.form(
                invite: invite, workspace: workspace, name: form["name"], token: token, errors: errors,
                request: request, context: context)
        } catch let error as RapportError where error.code == .notFound || error.code == .gone {
            return invalid(error, request: request, context: context)
        }
    }

    func form(
        invite: Invite, workspace: Workspace, name: String?, token: String, errors: [String: String] = [:],
        request: Request, context: AppContext
    ) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        return pages.render(
            SignUpView(
                workspaceName: workspace.name, inviteEmail: invite.email,
                inviteRole: messages["role_\(invite.role.rawValue)"] ?? invite.role.rawValue,
                signUpName: name.flatMap { $0.isEmpty ? nil : $0 }, action: WebPath.invite(token), errors: errors),
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: "signup_title")
    }

    /// The page of a link that does not work: 404 for one never given out, 410 for one expired, used or
    /// revoked. It names no email, so a link tells nothing about who has an account.
    func invalid(_ error: RapportError, request: Request, context: AppContext) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        let key =
            switch error {
            case InviteService.expiredLink: "invite_expired_text"
            case InviteService.usedLink: "invite_used_text"
            case InviteService.revokedLink: "invite_revoked_text"
            default: "invite_unknown_text"
            }
        let status: HTTPResponse.Status = error.code == .gone ? .gone : .notFound
        return pages.render(
            InviteInvalidView(heading: messages["invite_invalid_title"] ?? "", message: messages[key] ?? error.detail),
            request: request, context: context, status: status, title: "invite_invalid_title")
    }
}

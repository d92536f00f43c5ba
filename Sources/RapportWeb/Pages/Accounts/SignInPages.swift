import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import RapportCore
import RapportHTTP
import RapportServices

/// Signing in and out with an email and a password; a session cookie keeps the user signed in.
struct SignInPages: Sendable {
    let accounts: AccountService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.login), use: loginPage)
        group.post(RouterPath(WebPath.login), use: login)
        group.post(RouterPath(WebPath.logout), use: logout)
    }

    @Sendable func loginPage(_ request: Request, context: AppContext) async throws -> Response {
        let next = WebPath.returnPath(request.uri.queryParameters["next"].map(String.init))
        if let session = context.sessions.session, try await accounts.principal(of: session) != nil {
            return Pages.redirect(next ?? WebPath.home)
        }
        return pages.render(
            LoginView(email: nil, error: nil, next: next), request: request, context: context, title: "sign_in")
    }

    @Sendable func login(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let form = try await Form.read(&request)
        let email = form["email"] ?? ""
        do {
            let principal = try await accounts.signIn(
                email: email, password: form["password"] ?? "", address: context.remoteAddress ?? "unknown")
            context.sessions.createSession(WebSession(userID: principal.user.id, workspaceID: principal.workspace.id))
            context.logger.info("signed in", metadata: ["user.id": .string(principal.user.id)])
            return Pages.redirect(WebPath.returnPath(form["next"]) ?? WebPath.home)
        } catch let error as RapportError where error.code == .unauthorized || error.code == .rateLimited {
            let messages = pages.catalog.table(Pages.language(request, context))
            let message = error.code == .rateLimited ? messages["login_throttled"] : messages["login_failed"]
            var response = pages.render(
                LoginView(email: email, error: message ?? error.detail, next: WebPath.returnPath(form["next"])),
                request: request, context: context,
                status: error.code.status, title: "sign_in")
            if let retry = error.retryAfter { response.headers[.retryAfter] = String(retry) }
            return response
        }
    }

    @Sendable func logout(_ request: Request, context: AppContext) async throws -> Response {
        context.sessions.clearSession()
        return Pages.redirect(WebPath.login)
    }
}

import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import RapportCore
import RapportHTTP
import RapportServices

/// Lets signed-in users through and sends everyone else to the login page; counts the user's unread
/// notifications for the bell every page shows. Errors on these pages are rendered here, where the user
/// (and so the page's language) is known.
struct SignedInMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let accounts: AccountService
    let pages: Pages
    /// For the bell's count of unread notifications on every signed-in page.
    let notifications: NotificationService

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response)
        async throws -> Response
    {
        guard let session = context.sessions.session, let principal = try await accounts.principal(of: session) else {
            if context.sessions.session != nil { context.sessions.clearSession() }
            // A page asked for before signing in is where signing in leads.
            let wanted = request.method == .get ? WebPath.returnPath(request.uri.description) : nil
            return Pages.redirect(wanted.map(WebPath.login(returningTo:)) ?? WebPath.login)
        }
        var context = context
        context.principal = principal
        context.unreadNotifications = try await notifications.unreadCount(principal)
        context.logger[metadataKey: "workspace.id"] = .string(principal.workspace.id)
        do {
            return try await next(request, context)
        } catch let error as RapportError {
            return pages.error(status: error.code.status, detail: error.detail, request: request, context: context)
        }
    }
}

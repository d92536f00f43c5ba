import Hummingbird
import RapportCore
import RapportHTTP

/// The page a user lands on after signing in.
struct HomePages: Sendable {
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.home), use: home)
    }

    @Sendable func home(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let view = HomeView(
            userName: principal.user.name, userEmail: principal.user.email, workspaceName: principal.workspace.name,
            role: messages["role_\(principal.user.role.rawValue)"] ?? principal.user.role.rawValue)
        return pages.render(view, request: request, context: context, title: "home")
    }
}

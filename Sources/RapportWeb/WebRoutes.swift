import Foundation
package import Hummingbird
import HummingbirdAuth
package import Logging
import RapportCore
package import RapportHTTP
package import RapportServices

/// The web UI: sign-in, the home page, settings and users, server-rendered with a session cookie.
package struct WebRoutes: Sendable {
    let services: Services
    let pages: Pages
    var accounts: AccountService { AccountService(services) }

    /// Loads templates and messages from the bundle.
    package static func load(_ services: Services) async throws -> WebRoutes {
        WebRoutes(
            services: services,
            pages: try await Pages.load(cookies: WebCookies(secure: services.settings.secureCookies)))
    }

    /// The HTML error page renderer for `ProblemMiddleware`.
    package var errorPage: ProblemMiddleware.HTMLRenderer {
        let pages = self.pages
        return { status, detail, request, context in
            pages.error(status: status, detail: detail, request: request, context: context)
        }
    }

    package func register(on router: Router<AppContext>, logger: Logger) {
        let settings = services.settings
        let publicDirectory = Bundle.module.url(forResource: "Public", withExtension: nil)?.path ?? "Public"
        router.add(
            middleware: FileMiddleware(
                publicDirectory, urlBasePath: WebPath.staticFiles,
                cacheControl: .init([(MediaType(type: .any), [.maxAge(3600)])]), logger: logger))
        let cookies = pages.cookies
        // (outside sessions and CSRF: the signed token is the authority, and mailbox providers post one-click;
        // the preference centre, the open pixel and click redirects are the same kind of page)
        UnsubscribePages(services: services, pages: pages).register(on: router.group())
        PreferencePages(services: services, pages: pages).register(on: router.group())
        TrackingPages(services: services).register(on: router.group())
        let web = router.group()
            .add(
                middleware: CSRFMiddleware(
                    secret: settings.secretKey, secureCookies: settings.secureCookies, cookies: cookies)
            )
            .add(
                middleware: SessionMiddleware<AppContext>(
                    storage: SessionStorage(sessions: SessionService(services)),
                    configuration: .init(
                        sessionCookieParameters: .init(
                            name: cookies.session, path: "/", secure: settings.secureCookies, sameSite: .lax),
                        keyPrefix: "")))
        SignInPages(accounts: accounts, pages: pages).register(on: web)
        SignUpPages(invites: InviteService(services), pages: pages).register(on: web)
        let signedIn = web.group().add(
            middleware: SignedInMiddleware(
                accounts: accounts, pages: pages, notifications: NotificationService(services)))
        HomePages(services: services, pages: pages).register(on: signedIn)
        NotificationPages(services: services, pages: pages).register(on: signedIn)
        TaskPages(services: services, pages: pages).register(on: signedIn)
        SalesPages(services: services, pages: pages).register(on: signedIn)
        PipelinePages(services: services, pages: pages).register(on: signedIn)
        EmailSettingsPages(services: services, pages: pages).register(on: signedIn)
        FrequencyPages(services: services, pages: pages).register(on: signedIn)
        WorkspacePages(services: services, pages: pages).register(on: signedIn)
        TemplatePages(services: services, pages: pages).register(on: signedIn)
        EmailTopicPages(services: services, pages: pages).register(on: signedIn)
        SegmentPages(services: services, pages: pages).register(on: signedIn)
        CampaignPages(services: services, pages: pages).register(on: signedIn)
        ConsentPages(services: services, pages: pages).register(on: signedIn)
        ProfilePages(accounts: accounts, pages: pages).register(on: signedIn)
        TokenPages(accounts: accounts, pages: pages).register(on: signedIn)
        let users = UserPages(
            accounts: accounts, invites: InviteService(services), roles: RoleService(services),
            teams: TeamService(services), pages: pages)
        users.register(on: signedIn)
        InvitePages(invites: InviteService(services), users: users, pages: pages).register(on: signedIn)
        for type in ObjectCatalog.all {
            RecordPages(services: services, pages: pages, schema: type).register(on: signedIn)
            DuplicatePages(services: services, pages: pages, schema: type).register(on: signedIn)
        }
        CustomFieldPages(fields: CustomFieldService(services), pages: pages).register(on: signedIn)
        TeamPages(teams: TeamService(services), accounts: accounts, pages: pages).register(on: signedIn)
        RolePages(services: services, pages: pages).register(on: signedIn)
        SearchPages(services: services, pages: pages).register(on: signedIn)
        for type in ObjectCatalog.all where type.importable {
            ImportPages(services: services, pages: pages, schema: type).register(on: signedIn)
        }
    }
}

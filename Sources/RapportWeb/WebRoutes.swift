import Foundation
package import Hummingbird
import HummingbirdAuth
package import Logging
import RapportCore
package import RapportHTTP
package import RapportServices
import RapportStore

/// The web UI: sign-in, the home page, settings and users, server-rendered with a session cookie.
package struct WebRoutes: Sendable {
    let services: Services
    let pages: Pages
    var accounts: AccountService { AccountService(services) }

    /// Loads templates and messages from the bundle.
    package static func load(_ services: Services) async throws -> WebRoutes {
        WebRoutes(services: services, pages: try await Pages.load())
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
        let cookies = WebCookies(secure: settings.secureCookies)
        let web = router.group()
            .add(
                middleware: CSRFMiddleware(
                    secret: settings.secretKey, secureCookies: settings.secureCookies, cookies: cookies)
            )
            .add(
                middleware: SessionMiddleware<AppContext>(
                    storage: SQLPersistDriver(sessions: services.sessions),
                    configuration: .init(
                        sessionCookieParameters: .init(
                            name: cookies.session, path: "/", secure: settings.secureCookies, sameSite: .lax),
                        keyPrefix: "")))
        web.get(RouterPath(WebPath.login), use: loginPage)
        web.post(RouterPath(WebPath.login), use: login)
        web.post(RouterPath(WebPath.logout), use: logout)
        let signedIn = web.group().add(middleware: SignedInMiddleware(accounts: accounts, pages: pages))
        signedIn.get(RouterPath(WebPath.home), use: home)
        signedIn.get(RouterPath(WebPath.profile), use: profilePage)
        signedIn.post(RouterPath(WebPath.profile), use: saveProfile)
        signedIn.get(RouterPath(WebPath.tokens), use: tokensPage)
        signedIn.post(RouterPath(WebPath.tokens), use: createToken)
        signedIn.post(RouterPath(WebPath.revokeToken(":id")), use: revokeToken)
        signedIn.get(RouterPath(WebPath.users), use: usersPage)
        signedIn.post(RouterPath(WebPath.users), use: createUser)
        for type in ObjectCatalog.all {
            RecordPages(services: services, pages: pages, schema: type).register(on: signedIn)
        }
        CustomFieldPages(services: services, pages: pages).register(on: signedIn)
        SearchPages(services: services, pages: pages).register(on: signedIn)
        for type in ObjectCatalog.all {
            ImportPages(services: services, pages: pages, schema: type).register(on: signedIn)
        }
    }

    // MARK: Sign-in

    @Sendable func loginPage(_ request: Request, context: AppContext) async throws -> Response {
        if let session = context.sessions.session, try await accounts.principal(of: session) != nil {
            return Pages.redirect(WebPath.home)
        }
        return pages.render("login", request: request, context: context, title: "sign_in")
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
            return Pages.redirect(WebPath.home)
        } catch let error as RapportError where error.code == .unauthorized || error.code == .rateLimited {
            let messages = pages.catalog.table(Pages.language(request, context))
            let message = error.code == .rateLimited ? messages["login_throttled"] : messages["login_failed"]
            var response = pages.render(
                "login", ["email": email, "error": message ?? error.detail], request: request, context: context,
                status: error.code.status, title: "sign_in")
            if let retry = error.retryAfter { response.headers[.retryAfter] = String(retry) }
            return response
        }
    }

    @Sendable func logout(_ request: Request, context: AppContext) async throws -> Response {
        context.sessions.clearSession()
        return Pages.redirect(WebPath.login)
    }

    // MARK: Home and settings

    @Sendable func home(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return pages.render(
            "home",
            [
                "user_name": principal.user.name, "user_email": principal.user.email,
                "workspace_name": principal.workspace.name,
                "role": pages.catalog.table(principal.user.language)["role_\(principal.user.role.rawValue)"]
                    ?? principal.user.role.rawValue,
            ],
            request: request, context: context, title: "home")
    }

    @Sendable func profilePage(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return profile(principal.user.name, principal.user.language.rawValue, request: request, context: context)
    }

    private func profile(
        _ name: String, _ language: String, errors: [FieldIssue] = [], saved: Bool = false, request: Request,
        context: AppContext
    ) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        let languages = Language.allCases.filter(pages.catalog.has).map { option in
            [
                "code": option.rawValue, "label": messages["language_\(option.rawValue)"] ?? option.rawValue,
                "selected": option.rawValue == language,
            ] as [String: Any]
        }
        return pages.render(
            "profile",
            ["name": name, "languages": languages, "saved": saved, "errors": Pages.errorMap(errors)],
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent, title: "profile")
    }

    @Sendable func saveProfile(_ request: Request, context: AppContext) async throws -> Response {
        var context = context
        var principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let languageText = form["language"] ?? ""
        var issues: [FieldIssue] = []
        if name.isEmpty { issues.append(FieldIssue("name", "Name must not be empty.")) }
        if let issue = UserProfile.nameIssue(name) { issues.append(issue) }
        let language = Language(rawValue: languageText)
        if language == nil { issues.append(UserProfile.languageIssue) }
        guard issues.isEmpty else {
            return profile(name, languageText, errors: issues, request: request, context: context)
        }
        principal.user = try await services.accounts.updateProfile(
            workspaceID: principal.workspace.id, id: principal.user.id, name: name, language: language,
            expectedVersion: nil)
        context.principal = principal
        return profile(
            principal.user.name, principal.user.language.rawValue, saved: true, request: request, context: context)
    }

    // MARK: Tokens

    @Sendable func tokensPage(_ request: Request, context: AppContext) async throws -> Response {
        try await tokens(request: request, context: context)
    }

    private func tokens(
        created: (name: String, secret: String)? = nil, errors: [FieldIssue] = [], request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let list = try await services.tokens.list(
            workspaceID: principal.workspace.id, userID: principal.user.id, limit: 200, after: nil)
        let rows = list.items.map { token in
            [
                "id": token.id, "name": token.name, "created_at": Timestamp.rfc3339(token.createdAt),
                "created_display": Pages.displayTime(token.createdAt),
                "last_used_at": token.lastUsedAt.map(Timestamp.rfc3339) ?? "",
                "last_used_display": token.lastUsedAt.map(Pages.displayTime) ?? "", "used": token.lastUsedAt != nil,
                "revoke_path": WebPath.revokeToken(token.id),
            ] as [String: Any]
        }
        var data: [String: Any] = ["tokens": rows, "has_tokens": !rows.isEmpty, "errors": Pages.errorMap(errors)]
        if let created { data["created"] = ["name": created.name, "secret": created.secret] }
        return pages.render(
            "tokens", data, request: request, context: context,
            status: errors.isEmpty ? (created == nil ? .ok : .created) : .unprocessableContent,
            title: "api_tokens")
    }

    @Sendable func createToken(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            let name = try TokenName.validate(form["name"])
            let (token, secret) = try await services.tokens.create(
                workspaceID: principal.workspace.id, userID: principal.user.id, name: name)
            return try await tokens(created: (token.name, secret), request: request, context: context)
        } catch let error as RapportError where error.code == .invalid {
            return try await tokens(errors: error.fields, request: request, context: context)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        try await AccountService(services).revokeToken(id, of: principal)
        return Pages.redirect(WebPath.tokens)
    }

    // MARK: Users

    @Sendable func usersPage(_ request: Request, context: AppContext) async throws -> Response {
        try await users(request: request, context: context)
    }

    private func users(
        form: [String: String] = [:], errors: [FieldIssue] = [], created: Bool = false, request: Request,
        context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageUsers)
        let messages = pages.catalog.table(principal.user.language)
        let list = try await services.accounts.users(workspaceID: principal.workspace.id, limit: 200, after: nil)
        let rows = list.items.map { user in
            [
                "name": user.name, "email": user.email,
                "role": messages["role_\(user.role.rawValue)"] ?? user.role.rawValue,
                "language": messages["language_\(user.language.rawValue)"] ?? user.language.rawValue,
            ]
        }
        let selectedRole = form["role"] ?? Role.member.rawValue
        let roles = Role.allCases.filter { Access(principal).allows(.grant($0)) }.map { role in
            [
                "code": role.rawValue, "label": messages["role_\(role.rawValue)"] ?? role.rawValue,
                "selected": role.rawValue == selectedRole,
            ]
                as [String: Any]
        }
        return pages.render(
            "users",
            ["users": rows, "roles": roles, "form": form, "errors": Pages.errorMap(errors), "created": created],
            request: request, context: context,
            status: errors.isEmpty ? (created ? .created : .ok) : .unprocessableContent,
            title: "users")
    }

    @Sendable func createUser(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await accounts.createUser(
                workspaceID: principal.workspace.id,
                draft: UserDraft(
                    email: form["email"], name: form["name"], role: form["role"], password: form["password"]),
                actor: principal.user)
            return try await users(created: true, request: request, context: context)
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            var kept = form
            kept["password"] = nil
            let issues = error.fields.isEmpty ? [FieldIssue("email", error.detail)] : error.fields
            return try await users(form: kept, errors: issues, request: request, context: context)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices

/// Renders pages: the Mustache templates from the bundle, wrapped in the layout, in the viewer's language.
struct Pages: Sendable {
    let library: MustacheLibrary
    let catalog: Catalog
    let cookies: WebCookies

    static func load(cookies: WebCookies) async throws -> Pages {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw RapportError(.notFound, "The page templates are missing from the bundle.")
        }
        return Pages(
            library: try await MustacheLibrary(directory: directory.path), catalog: try Catalog(), cookies: cookies)
    }

    /// The language a page is shown in: the signed-in user's, else the browser's preference.
    static func language(_ request: Request, _ context: AppContext) -> Language {
        context.principal?.user.language ?? Language.preferred(acceptLanguage: request.headers[.acceptLanguage])
    }

    /// A full HTML response showing `content` in its template, inside the layout; in `language` when given (a
    /// public page in its reader's language), else the viewer's.
    func render<Content: PageContent>(
        _ content: Content, request: Request, context: AppContext, status: HTTPResponse.Status = .ok, title: String,
        language: Language? = nil
    ) -> Response {
        let language = language ?? Self.language(request, context)
        let messages = catalog.table(language)
        let section = Self.section(request.uri.path)
        let nav = context.principal.map { principal in
            NavView(
                name: principal.user.name, email: principal.user.email, workspace: principal.workspace.name,
                role: principal.user.customRole?.name ?? messages["role_\(principal.user.role.rawValue)"]
                    ?? principal.user.role.rawValue,
                managesUsers: Access(principal).allows(.manageUsers),
                objects: ObjectCatalog.all.filter { !Self.underMore.contains($0.name) }.map {
                    NavView.Entry(
                        // (deals open on their pipeline's board, which leads to the list, funnel and forecast)
                        path: $0.name == ObjectType.deals.name ? WebPath.board : WebPath.list($0.name),
                        label: messages[$0.name] ?? $0.name,
                        current: section == $0.name || (section == "sales" && $0.name == ObjectType.deals.name))
                },
                more: ObjectCatalog.all.filter { Self.underMore.contains($0.name) }.map {
                    NavView.Entry(
                        path: WebPath.list($0.name), label: messages[$0.name] ?? $0.name, current: section == $0.name)
                } + [
                    // (email templates and campaigns, under /marketing, beside the objects a user opens less often)
                    NavView.Entry(
                        path: WebPath.templates, label: messages["templates"] ?? "templates",
                        current: request.uri.path.hasPrefix(WebPath.templates)),
                    NavView.Entry(
                        path: WebPath.campaigns, label: messages["campaigns"] ?? "campaigns",
                        current: request.uri.path.hasPrefix(WebPath.campaigns)),
                ],
                inMore: Self.underMore.contains(section) || section == "marketing",
                settings: Self.settings(Access(principal)).map {
                    NavView.Entry(path: $0.path, label: messages[$0.label] ?? $0.label, current: section == $0.section)
                },
                inSettings: Self.settings(Access(principal)).contains { $0.section == section },
                current: [section: true], unread: Self.unread(context.unreadNotifications, language),
                bellLabel: Self.bellLabel(context.unreadNotifications ?? 0, messages, language))
        }
        let flash = request.cookies[cookies.flash].flatMap { Flash(cookie: $0.value) }
        let page = PageView(
            t: messages, lang: language.rawValue, dir: language.isRightToLeft ? "rtl" : "ltr",
            csrf: context.csrfToken, title: messages[title] ?? title, nav: nav,
            flash: flash?.text(messages, language: language), content: content)
        let html =
            library.render(page.values, withTemplate: Content.template) ?? "<!doctype html><title>Rapport</title>"
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        if request.cookies[cookies.flash] != nil {
            response.setCookie(flashCookie("", maxAge: 0))
        }
        return response
    }

    /// The objects the top bar keeps under "More", so that it fits one line on a laptop (1366 px) in every
    /// language.
    /// (all tasks are there too: "My tasks" is the everyday way in)
    static let underMore: Set<String> = [ObjectType.products.name, ObjectType.orders.name, ObjectType.tasks.name]

    /// The settings' pages a user may open: their own profile and tokens, the teams and roles (which everyone
    /// reads), and the users and custom fields for those who manage them; with each one's section.
    static func settings(_ access: Access) -> [(path: String, label: String, section: String)] {
        [
            (WebPath.profile, "profile", "profile"), (WebPath.tokens, "api_tokens", "tokens"),
            (WebPath.users, "users", "users"), (WebPath.customFields, "custom_fields", "custom_fields"),
            (WebPath.teams, "teams", "teams"), (WebPath.roles, "roles", "roles"),
            (WebPath.pipelines, "pipelines", "pipelines"), (WebPath.emailSettings, "email_settings", "email"),
            (WebPath.frequencySettings, "frequency_settings", "frequency"),
            (WebPath.workspaceSettings, "workspace_settings", "workspace"),
            (WebPath.emailTopics, "email_topics", "email_topics"),
        ].filter {
            (($0.2 != "users" && $0.2 != "custom_fields") || access.allows(.manageUsers))
                && (($0.2 != "email" && $0.2 != "frequency" && $0.2 != "email_topics") || access.allows(.manageEmail))
                && ($0.2 != "workspace" || access.allows(.manageWorkspace))
        }
    }

    /// The bell's number: nil for none, else in the reader's digits ("99+" beyond 99).
    static func unread(_ count: Int?, _ language: Language) -> String? {
        guard let count, count > 0 else { return nil }
        return count > 99 ? Numbers.format(99, language) + "+" : Numbers.format(count, language)
    }

    /// What a screen reader says of the bell: "Notifications, 3 unread".
    static func bellLabel(_ count: Int, _ messages: [String: String], _ language: Language) -> String {
        guard count > 0 else { return messages["notifications"] ?? "Notifications" }
        let key = count == 1 ? "notifications_unread_one" : "notifications_unread"
        return (messages[key] ?? messages["notifications_unread"] ?? "Notifications, {count} unread")
            .replacingOccurrences(of: "{count}", with: Numbers.format(count, language))
    }

    /// A 303 redirect after a successful form post, with a message for the page it leads to.
    func redirect(_ path: String, flash: Flash) -> Response {
        var response = Self.redirect(path)
        response.setCookie(flashCookie(flash.cookie, maxAge: 60))
        return response
    }

    func flashCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: cookies.flash, value: value, maxAge: maxAge, path: "/", secure: cookies.secure, httpOnly: true,
            sameSite: .lax)
    }

    /// Which navigation entry a path belongs to.
    static func section(_ path: String) -> String {
        let parts = path.split(separator: "/")
        guard let first = parts.first else { return "home" }
        if first == "settings", parts.count > 1 { return parts[1].replacingOccurrences(of: "-", with: "_") }
        return first.replacingOccurrences(of: "-", with: "_")
    }

    /// The error page for browsers.
    func error(status: HTTPResponse.Status, detail: String, request: Request, context: AppContext) -> Response {
        // The status in the viewer's language; the detail too where the catalogue has one for the status
        // (a not-found page), else as the service said it.
        let messages = catalog.table(Self.language(request, context))
        return render(
            ErrorView(
                status: status.code, reason: messages["status_\(status.code)"] ?? status.reasonPhrase,
                detail: messages["status_\(status.code)_detail"] ?? detail),
            request: request, context: context, status: status, title: "error_title")
    }

    /// Field errors keyed by field, for `{{#errors.email}}` in templates.
    /// Each message in the viewer's language where the catalogue has it (`issue_KEY`), else in English.
    static func errorMap(_ issues: [FieldIssue], _ messages: [String: String]) -> [String: String] {
        Dictionary(
            issues.map { ($0.field, translate($0, messages)) }, uniquingKeysWith: { first, _ in first })
    }

    /// One issue's message in the viewer's language, when the catalogue has it.
    static func translate(_ issue: FieldIssue, _ messages: [String: String]) -> String {
        guard let key = issue.key, let template = messages["issue_\(key)"] else { return issue.message }
        return FieldIssue.fill(template, issue.values)
    }

    /// A 303 redirect after a successful form post.
    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }
}

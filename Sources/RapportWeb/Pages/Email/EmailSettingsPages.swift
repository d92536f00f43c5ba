import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → Email: the workspace's SMTP server and sender (owners and admins), and a button that sends a
/// test message now and shows what the server said. The password field is never filled in: left empty, the
/// stored password is kept.
struct EmailSettingsPages: Sendable {
    let services: Services
    let pages: Pages
    var settings: EmailSettingsService { EmailSettingsService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.emailSettings), use: show)
        group.post(RouterPath(WebPath.emailSettings), use: save)
        group.post(RouterPath(WebPath.emailTest), use: test)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try await page(request: request, context: context)
    }

    func page(
        request: Request, context: AppContext, form: [String: String]? = nil, issues: [FieldIssue] = [],
        result: EmailSettingsView.Result? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let stored = try await settings.get(principal)
        let tls = form?["tls"] ?? stored?.tls ?? "starttls"
        let view = EmailSettingsView(
            form: [
                "smtp_host": form?["smtp_host"] ?? stored?.host ?? "",
                "smtp_port": form?["smtp_port"] ?? stored.map { String($0.port) } ?? "587",
                "username": form?["username"] ?? stored?.username ?? "",
                "from": form?["from"] ?? stored?.from ?? "", "from_name": form?["from_name"] ?? stored?.fromName ?? "",
                "reply_to": form?["reply_to"] ?? stored?.replyTo ?? "",
            ],
            tlsModes: ["starttls", "implicit", "opportunistic", "off"].map {
                Option(value: $0, label: messages["email_tls_\($0)"] ?? $0, selected: $0 == tls)
            },
            passwordSet: stored?.passwordSet ?? false, configured: stored != nil,
            errors: Pages.errorMap(issues, messages), result: result)
        return pages.render(view, request: request, context: context, status: status, title: "email_settings")
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let password = form["password"] ?? ""
        let draft = EmailSettingsService.Draft(
            host: form["smtp_host"], port: Int(form["smtp_port"] ?? ""), tls: form["tls"], username: form["username"],
            password: form["clear_password"] == "true" ? .some(nil) : password.isEmpty ? nil : .some(password),
            from: form["from"], fromName: form["from_name"], replyTo: form["reply_to"])
        do {
            _ = try await settings.put(principal, draft)
        } catch let error as RapportError where error.code == .invalid {
            return try await page(
                request: request, context: context, form: form, issues: error.fields, status: .unprocessableContent)
        }
        return pages.redirect(WebPath.emailSettings, flash: Flash("email_settings_saved"))
    }

    @Sendable func test(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            let result = try await settings.sendTest(principal, to: form["to"] ?? "")
            return try await page(
                request: request, context: context,
                result: .init(
                    accepted: result.accepted, outcome: result.outcome, reply: result.reply, detail: result.detail,
                    to: form["to"] ?? ""))
        } catch let error as RapportError where error.code == .invalid {
            return try await page(
                request: request, context: context, issues: error.fields, status: .unprocessableContent)
        }
    }
}

/// The sender settings form, and the outcome of a test message.
struct EmailSettingsView: PageContent {
    static let template = "email_settings"

    struct Result {
        let accepted: Bool
        let outcome: String
        let reply: String?
        let detail: String?
        let to: String
    }

    let form: [String: String]
    let tlsModes: [Option]
    let passwordSet: Bool
    let configured: Bool
    let errors: [String: String]
    let result: Result?
}

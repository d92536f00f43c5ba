import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → Workspace: the workspace's name and time zone, which segments' relative dates, campaign schedules
/// and quiet hours (for contacts without their own zone) are read in. Owners and admins change it.
struct WorkspacePages: Sendable {
    let services: Services
    let pages: Pages
    var workspaces: WorkspaceService { WorkspaceService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.workspaceSettings), use: show)
        group.post(RouterPath(WebPath.workspaceSettings), use: save)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try await page(request: request, context: context)
    }

    func page(
        request: Request, context: AppContext, submitted: String? = nil, issues: [FieldIssue] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let settings = try await workspaces.get(principal)
        let zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "UTC")!
        let dates = Dates(
            language: principal.user.language, messages: messages, timeZone: settings.timeZone,
            calendar: principal.user.calendar)
        let view = WorkspaceSettingsView(
            name: settings.name, timeZone: submitted ?? settings.timeZone,
            timeZones: Suggestions.options(for: .timeZone, language: principal.user.language),
            nowThere: dates.exact(Timestamp.micros(Date())), offset: Self.offset(zone),
            canEdit: Access(principal).allows(.manageWorkspace), errors: Pages.errorMap(issues, messages))
        return pages.render(view, request: request, context: context, status: status, title: "workspace_settings")
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await workspaces.setTimeZone(principal, form["time_zone"])
        } catch let error as RapportError where error.code == .invalid {
            return try await page(
                request: request, context: context, submitted: form["time_zone"] ?? "", issues: error.fields,
                status: .unprocessableContent)
        }
        return pages.redirect(WebPath.workspaceSettings, flash: Flash("workspace_settings_saved"))
    }

    /// `UTC+03:30`, `UTC−05:00`: the zone's offset from UTC now.
    static func offset(_ zone: TimeZone) -> String {
        let seconds = zone.secondsFromGMT(for: Date())
        let sign = seconds < 0 ? "−" : "+"
        let minutes = abs(seconds) / 60
        return String(format: "UTC%@%02d:%02d", sign, minutes / 60, minutes % 60)
    }
}

/// The workspace's settings form.
struct WorkspaceSettingsView: PageContent {
    static let template = "workspace_settings"

    let name: String
    let timeZone: String
    let timeZones: [Option]
    /// The time now in the workspace's zone, with the zone.
    let nowThere: String
    let offset: String
    let canEdit: Bool
    let errors: [String: String]
}

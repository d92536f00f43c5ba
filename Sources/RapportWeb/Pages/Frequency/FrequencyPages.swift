import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → Sending limits: the workspace's frequency policy (a cap per contact in a rolling window, a
/// minimum gap, quiet hours in each contact's zone). Owners and admins change it; transactional mail is never
/// held by it.
struct FrequencyPages: Sendable {
    let services: Services
    let pages: Pages
    var frequency: FrequencyService { FrequencyService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.frequencySettings), use: show)
        group.post(RouterPath(WebPath.frequencySettings), use: save)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try await page(request: request, context: context)
    }

    func page(
        request: Request, context: AppContext, form: [String: String]? = nil, issues: [FieldIssue] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let policy = try await frequency.get(principal)
        func number(_ value: Int?) -> String { value.map { String($0) } ?? "" }
        let values: [String: String] =
            form
            ?? [
                "max_messages": number(policy.cap?.maxMessages), "window_days": number(policy.cap?.windowDays),
                "min_gap_hours": number(policy.minGapHours), "quiet_start": policy.quietHours?.startText ?? "",
                "quiet_end": policy.quietHours?.endText ?? "",
            ]
        // (the form's names for the API's `quiet_hours.start` and `.end`, which a template cannot name)
        var errors = Pages.errorMap(issues, messages)
        for (api, field) in [("quiet_hours.start", "quiet_start"), ("quiet_hours.end", "quiet_end")] {
            if let message = errors.removeValue(forKey: api) { errors[field] = message }
        }
        let zone = try await WorkspaceService(services).timeZoneName(workspaceID: principal.workspace.id)
        let view = FrequencySettingsView(
            form: values, errors: errors, canEdit: Access(principal).allows(.manageEmail),
            quietHint: (messages["quiet_hours_hint"] ?? "{zone}").replacingOccurrences(of: "{zone}", with: zone),
            summary: Self.summary(policy, messages: messages, language: principal.user.language))
        return pages.render(view, request: request, context: context, status: status, title: "frequency_settings")
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        var issues: [FieldIssue] = []
        func number(_ field: String) -> Int? {
            let text = Numbers.westernDigits(form[field] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            guard let value = Int(text) else {
                issues.append(FieldIssue(field, key: "frequency_number", "Must be a whole number."))
                return nil
            }
            return value
        }
        func time(_ field: String) -> String? {
            let text = Numbers.westernDigits(form[field] ?? "").trimmingCharacters(in: .whitespaces)
            // (a browser's time input may add seconds)
            return text.isEmpty ? nil : text.count == 8 && text.hasSuffix(":00") ? String(text.prefix(5)) : text
        }
        let draft = FrequencyPolicy.Draft(
            maxMessages: number("max_messages"), windowDays: number("window_days"),
            minGapHours: number("min_gap_hours"), quietStart: time("quiet_start"), quietEnd: time("quiet_end"))
        try Access(principal).require(.manageEmail)
        // every problem at once: what could not be read, and what the policy's own check says of the rest
        if case .failure(let error) = draft.validated() {
            issues += error.fields.filter { found in !issues.contains { $0.field == found.field } }
        }
        do {
            if !issues.isEmpty { throw RapportError.invalid(issues) }
            _ = try await frequency.put(principal, draft)
        } catch let error as RapportError where error.code == .invalid {
            return try await page(
                request: request, context: context, form: form, issues: error.fields, status: .unprocessableContent)
        }
        return pages.redirect(WebPath.frequencySettings, flash: Flash("frequency_saved"))
    }

    /// The policy in one sentence per rule, in the reader's language ("At most 3 marketing messages per contact
    /// in 7 days"); a line saying there is none when no rule is set.
    static func summary(_ policy: FrequencyPolicy, messages: [String: String], language: Language) -> [String] {
        func fill(_ key: String, _ values: [String: String]) -> String {
            values.reduce(messages[key] ?? key) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        var lines: [String] = []
        if let cap = policy.cap {
            lines.append(
                fill(
                    "frequency_summary_cap",
                    [
                        "count": Numbers.format(cap.maxMessages, language),
                        "days": Numbers.format(cap.windowDays, language),
                    ]))
        }
        if let gap = policy.minGapHours, gap > 0 {
            lines.append(fill("frequency_summary_gap", ["hours": Numbers.format(gap, language)]))
        }
        if let quiet = policy.quietHours {
            lines.append(
                fill(
                    "frequency_summary_quiet",
                    [
                        "start": Numbers.digits(quiet.startText, language),
                        "end": Numbers.digits(quiet.endText, language),
                    ]))
        }
        return lines.isEmpty ? [messages["frequency_summary_none"] ?? "frequency_summary_none"] : lines
    }
}

/// The frequency policy's form.
struct FrequencySettingsView: PageContent {
    static let template = "frequency_settings"

    let form: [String: String]
    let errors: [String: String]
    let canEdit: Bool
    let quietHint: String
    /// The policy in force, one line per rule.
    let summary: [String]
}

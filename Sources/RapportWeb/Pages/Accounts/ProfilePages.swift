import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → profile: the signed-in user's name, language, time zone, calendar and email digest.
struct ProfilePages: Sendable {
    let accounts: AccountService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.profile), use: profilePage)
        group.post(RouterPath(WebPath.profile), use: saveProfile)
    }

    @Sendable func profilePage(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return profile(Submitted(principal.user), request: request, context: context)
    }

    /// What the form shows: the stored profile, or what was submitted.
    struct Submitted {
        var name: String
        var language: String
        var timeZone: String
        var calendar: String
        var digest: String

        init(_ user: User) {
            name = user.name
            language = user.language.rawValue
            timeZone = user.timeZone
            calendar = user.calendar.rawValue
            digest = user.digest.rawValue
        }

        /// A form without a time zone or calendar (an older page) keeps the stored ones.
        init(_ form: [String: String], current: User) {
            name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            language = form["language"] ?? ""
            timeZone = form["time_zone"]?.trimmingCharacters(in: .whitespaces) ?? current.timeZone
            calendar = form["calendar"] ?? current.calendar.rawValue
            digest = form["digest"] ?? current.digest.rawValue
        }
    }

    func profile(
        _ shown: Submitted, errors: [FieldIssue] = [], saved: Bool = false, request: Request, context: AppContext
    ) -> Response {
        let language = Pages.language(request, context)
        let messages = pages.catalog.table(language)
        let languages = Language.allCases.filter(pages.catalog.has).map { option in
            Option(
                value: option.rawValue, label: messages["language_\(option.rawValue)"] ?? option.rawValue,
                selected: option.rawValue == shown.language)
        }
        let calendars = CalendarChoice.allCases.map {
            Option(
                value: $0.rawValue, label: messages["calendar_\($0.rawValue)"] ?? $0.rawValue,
                selected: $0.rawValue == shown.calendar)
        }
        let digests = DigestChoice.allCases.map {
            Option(
                value: $0.rawValue, label: messages["digest_\($0.rawValue)"] ?? $0.rawValue,
                selected: $0.rawValue == shown.digest)
        }
        return pages.render(
            ProfileView(
                name: shown.name, languages: languages, timeZone: shown.timeZone,
                timeZones: Suggestions.options(for: .timeZone, language: language), calendars: calendars,
                digests: digests, saved: saved, errors: Pages.errorMap(errors, messages)),
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent, title: "profile")
    }

    @Sendable func saveProfile(_ request: Request, context: AppContext) async throws -> Response {
        var context = context
        var principal = try context.requirePrincipal()
        var request = request
        let submitted = Submitted(try await Form.read(&request), current: principal.user)
        var issues: [FieldIssue] = []
        if let issue = UserProfile.profileNameIssue(submitted.name) { issues.append(issue) }
        let language = Language(rawValue: submitted.language)
        if language == nil { issues.append(UserProfile.languageIssue) }
        let timeZone = UserProfile.timeZone(submitted.timeZone)
        if timeZone == nil { issues.append(UserProfile.timeZoneIssue) }
        let calendar = CalendarChoice(rawValue: submitted.calendar)
        if calendar == nil { issues.append(UserProfile.calendarIssue) }
        let digest = DigestChoice(rawValue: submitted.digest)
        if digest == nil { issues.append(FieldIssue("digest", key: "digest_choice", "Choose none or daily.")) }
        guard issues.isEmpty else {
            return profile(submitted, errors: issues, request: request, context: context)
        }
        principal.user = try await accounts.updateProfile(
            of: principal, name: submitted.name, language: language, timeZone: timeZone, calendar: calendar,
            digest: digest, expectedVersion: nil)
        context.principal = principal
        return profile(Submitted(principal.user), saved: true, request: request, context: context)
    }
}

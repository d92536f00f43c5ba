import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → profile: the signed-in user's name and language.
struct ProfilePages: Sendable {
    let accounts: AccountService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.profile), use: profilePage)
        group.post(RouterPath(WebPath.profile), use: saveProfile)
    }

    @Sendable func profilePage(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return profile(principal.user.name, principal.user.language.rawValue, request: request, context: context)
    }

    func profile(
        _ name: String, _ language: String, errors: [FieldIssue] = [], saved: Bool = false, request: Request,
        context: AppContext
    ) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        let languages = Language.allCases.filter(pages.catalog.has).map { option in
            Option(
                value: option.rawValue, label: messages["language_\(option.rawValue)"] ?? option.rawValue,
                selected: option.rawValue == language)
        }
        return pages.render(
            ProfileView(name: name, languages: languages, saved: saved, errors: Pages.errorMap(errors)),
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
        if let issue = UserProfile.profileNameIssue(name) { issues.append(issue) }
        let language = Language(rawValue: languageText)
        if language == nil { issues.append(UserProfile.languageIssue) }
        guard issues.isEmpty else {
            return profile(name, languageText, errors: issues, request: request, context: context)
        }
        principal.user = try await accounts.updateProfile(
            of: principal, name: name, language: language, expectedVersion: nil)
        context.principal = principal
        return profile(
            principal.user.name, principal.user.language.rawValue, saved: true, request: request, context: context)
    }
}

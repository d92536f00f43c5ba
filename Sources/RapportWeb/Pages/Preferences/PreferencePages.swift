import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// `/p/{token}`: a contact's preference centre, with no sign-in, in the contact's language (else the
/// browser's). The contact keeps or drops each of the workspace's email topics, unsubscribes from all
/// marketing mail, or, once unsubscribed, subscribes again. A token whose signature does not hold answers 400
/// and changes nothing; after a change the page is shown again (`?done=`) with what happened.
struct PreferencePages: Sendable {
    let services: Services
    let pages: Pages
    var preferences: PreferenceService { PreferenceService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.preferences(":token")), use: show)
        group.post(RouterPath(WebPath.preferences(":token")), use: save)
        group.post(RouterPath(WebPath.preferencesUnsubscribe(":token")), use: unsubscribe)
    }

    static let invalid = RapportError(.badRequest, "This link is not valid: it was changed or cut short.")

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let centre = try await preferences.centre(token: token) else { throw Self.invalid }
        let done = QueryItems.parse(request.uri.query).first { $0.name == "done" }?.value
        return render(centre, token: token, done: done, request: request, context: context)
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        var request = request
        let form = try await Form.readAll(&request)
        let resubscribe = form.last["resubscribe"] == "1"
        guard
            let centre = try await preferences.save(
                token: token, kept: Set(form.all("topic").map { $0.lowercased() }), resubscribe: resubscribe)
        else { throw Self.invalid }
        return Pages.redirect(
            WebPath.preferences(token) + "?done=" + (resubscribe && centre.subscribed ? "subscribed" : "saved"))
    }

    @Sendable func unsubscribe(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard try await preferences.unsubscribeAll(token: token) != nil else { throw Self.invalid }
        return Pages.redirect(WebPath.preferences(token) + "?done=unsubscribed")
    }

    func render(
        _ centre: PreferenceService.Centre, token: String, done: String?, request: Request, context: AppContext
    ) -> Response {
        let topics = centre.topics.map {
            PreferencesView.Topic(
                id: $0.topic.id, name: $0.topic.name, description: $0.topic.description, kept: $0.kept)
        }
        let language = centre.language ?? Pages.language(request, context)
        let messages = pages.catalog.table(language)
        // (after unsubscribing from all, the page's own notice says so)
        let known = ["saved", "subscribed"]
        return pages.render(
            PreferencesView(
                address: centre.address, action: WebPath.preferences(token),
                unsubscribeAction: WebPath.preferencesUnsubscribe(token), subscribed: centre.subscribed,
                topics: topics, hasTopics: !topics.isEmpty,
                done: done.flatMap { known.contains($0) ? messages["preferences_done_\($0)"] : nil }),
            request: request, context: context, title: "preferences", language: language)
    }
}

/// The preference centre.
struct PreferencesView: PageContent {
    static let template = "preferences"

    struct Topic {
        let id: String
        let name: String
        let description: String?
        let kept: Bool
    }

    let address: String?
    let action: String
    let unsubscribeAction: String
    let subscribed: Bool
    let topics: [Topic]
    let hasTopics: Bool
    /// What was just done, in the reader's language.
    let done: String?
}

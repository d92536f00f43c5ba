import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → Email topics: the kinds of marketing mail the workspace sends, which contacts keep or drop in
/// the preference centre and a marketing template may name. Everyone reads them; owners and admins add,
/// rename and delete them.
struct EmailTopicPages: Sendable {
    let services: Services
    let pages: Pages
    var topics: EmailTopicService { EmailTopicService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.emailTopics), use: list)
        group.post(RouterPath(WebPath.emailTopics), use: create)
        group.post(RouterPath(WebPath.emailTopic(":id")), use: update)
        group.get(RouterPath(WebPath.deleteEmailTopic(":id")), use: confirmDelete)
        group.post(RouterPath(WebPath.deleteEmailTopic(":id")), use: delete)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try await page(request: request, context: context)
    }

    /// The list, the add form (with what was typed and its errors after a refused post), and a row's errors.
    func page(
        request: Request, context: AppContext, form: [String: String] = [:], issues: [FieldIssue] = [],
        failedRow: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let errors = Pages.errorMap(issues, messages)
        let rows = try await topics.all(principal.viewer).map { topic in
            let failed = topic.id == failedRow
            return EmailTopicsView.Row(
                id: topic.id, name: failed ? form["name"] ?? topic.name : topic.name,
                description: failed ? form["description"] ?? "" : topic.description ?? "",
                action: WebPath.emailTopic(topic.id), delete: WebPath.deleteEmailTopic(topic.id),
                errors: failed ? errors : [:])
        }
        return pages.render(
            EmailTopicsView(
                rows: rows, hasRows: !rows.isEmpty, canManage: Access(principal).allows(.manageEmail),
                form: failedRow == nil ? form : [:], errors: failedRow == nil ? errors : [:]),
            request: request, context: context, status: status, title: "email_topics")
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await topics.create(principal, name: form["name"], description: form["description"])
            return pages.redirect(WebPath.emailTopics, flash: Flash("topic_saved"))
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            return try await page(
                request: request, context: context, form: form, issues: error.fields, status: .unprocessableContent)
        }
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await topics.update(
                principal, id: id, name: form["name"] ?? "", description: .some(form["description"]))
            return pages.redirect(WebPath.emailTopics, flash: Flash("topic_saved"))
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            return try await page(
                request: request, context: context, form: form, issues: error.fields, failedRow: id.lowercased(),
                status: .unprocessableContent)
        }
    }

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageEmail)
        let topic = try await topics.get(principal.viewer, id: try context.parameters.require("id"))
        let messages = pages.catalog.table(principal.user.language)
        return pages.render(
            ConfirmDeleteView(
                question: messages["delete_topic_question"] ?? "", name: topic.name,
                consequence: messages["delete_topic_consequence"], path: WebPath.deleteEmailTopic(topic.id),
                cancel: WebPath.emailTopics, error: nil),
            request: request, context: context, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await topics.delete(principal, id: try context.parameters.require("id"))
        return pages.redirect(WebPath.emailTopics, flash: Flash("topic_deleted"))
    }
}

/// The workspace's email topics, each editable in place, and the form that adds one.
struct EmailTopicsView: PageContent {
    static let template = "email_topics"

    struct Row {
        let id: String
        let name: String
        let description: String
        let action: String
        let delete: String
        let errors: [String: String]
    }

    let rows: [Row]
    let hasRows: Bool
    let canManage: Bool
    let form: [String: String]
    let errors: [String: String]
}

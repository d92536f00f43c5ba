import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Marketing → Templates: the workspace's email templates, and an editor (owners and admins save; everyone
/// reads) that previews the template as a chosen contact (by address or id, one the viewer may see).
struct TemplatePages: Sendable {
    let services: Services
    let pages: Pages
    var templates: TemplateService { TemplateService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.templates), use: list)
        group.post(RouterPath(WebPath.templates), use: create)
        group.get(RouterPath(WebPath.newTemplate), use: new)
        group.get(RouterPath(WebPath.template(":id")), use: edit)
        group.post(RouterPath(WebPath.template(":id")), use: update)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let rows = try await templates.all(principal.viewer).map {
            TemplatesView.Row(
                name: $0.name, kind: messages["template_kind_\($0.kind.rawValue)"] ?? $0.kind.rawValue,
                subject: $0.subject, path: WebPath.template($0.id))
        }
        return pages.render(
            TemplatesView(rows: rows, hasRows: !rows.isEmpty, canManage: Access(principal).allows(.manageEmail)),
            request: request, context: context, title: "templates")
    }

    @Sendable func new(_ request: Request, context: AppContext) async throws -> Response {
        try await editor(request: request, context: context, template: nil)
    }

    @Sendable func edit(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let template = try await templates.get(principal.viewer, id: try context.parameters.require("id"))
        return try await editor(request: request, context: context, template: template)
    }

    func editor(
        request: Request, context: AppContext, template: StoredTemplate?, form: [String: String]? = nil,
        issues: [FieldIssue] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let kind = form?["kind"] ?? template?.kind.rawValue ?? "marketing"
        let topic = form?["topic_id"] ?? template?.topicID ?? ""
        let workspaceTopics = try await EmailTopicService(services).all(principal.viewer)
        let topics =
            [Option(value: "", label: messages["template_no_topic"] ?? "", selected: topic.isEmpty)]
            + workspaceTopics.map { Option(value: $0.id, label: $0.name, selected: $0.id == topic) }
        // a preview as the contact the query names (`?contact=` an address or an id)
        var preview: TemplateEditView.Preview?
        let contactKey = QueryItems.parse(request.uri.query).first { $0.name == "contact" }?.value ?? ""
        if let template, !contactKey.isEmpty {
            if let contact = try await RecordService(services, schema: .contacts).find(
                key: contactKey, viewer: principal.viewer)
            {
                do {
                    let rendered = try await templates.preview(principal, id: template.id, contactID: contact.id)
                    preview = .init(subject: rendered.subject, html: rendered.html, text: rendered.text, error: nil)
                } catch let error as RapportError where error.code == .invalid {
                    preview = .init(
                        subject: nil, html: nil, text: nil, error: error.fields.map(\.message).joined(separator: " "))
                }
            } else {
                preview = .init(subject: nil, html: nil, text: nil, error: messages["template_no_contact"])
            }
        }
        let view = TemplateEditView(
            action: template.map { WebPath.template($0.id) } ?? WebPath.templates,
            previewAction: template.map { WebPath.template($0.id) },
            form: [
                "name": form?["name"] ?? template?.name ?? "", "subject": form?["subject"] ?? template?.subject ?? "",
                "html": form?["html"] ?? template?.html ?? "", "text": form?["text"] ?? template?.text ?? "",
                "contact": contactKey,
            ],
            kinds: TemplateKind.allCases.map {
                Option(
                    value: $0.rawValue, label: messages["template_kind_\($0.rawValue)"] ?? $0.rawValue,
                    selected: $0.rawValue == kind)
            },
            topics: topics, canManage: Access(principal).allows(.manageEmail),
            errors: Pages.errorMap(issues, messages), preview: preview)
        return pages.render(
            view, request: request, context: context, status: status,
            title: template == nil ? "new_template" : "template")
    }

    static func draft(_ form: [String: String]) -> TemplateService.Draft {
        func optional(_ key: String) -> String?? {
            let value = form[key] ?? ""
            return .some(value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : value)
        }
        return TemplateService.Draft(
            name: form["name"] ?? "", kind: TemplateKind(rawValue: form["kind"] ?? ""), subject: form["subject"] ?? "",
            html: optional("html"), text: optional("text"), topicID: optional("topic_id"))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            let template = try await templates.create(principal, Self.draft(form))
            return pages.redirect(WebPath.template(template.id), flash: Flash("template_saved"))
        } catch let error as RapportError where error.code == .invalid {
            return try await editor(
                request: request, context: context, template: nil, form: form, issues: error.fields,
                status: .unprocessableContent)
        }
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let current = try await templates.get(principal.viewer, id: id)
        do {
            _ = try await templates.update(principal, id: id, Self.draft(form), expectedVersion: nil)
            return pages.redirect(WebPath.template(id), flash: Flash("template_saved"))
        } catch let error as RapportError where error.code == .invalid {
            return try await editor(
                request: request, context: context, template: current, form: form, issues: error.fields,
                status: .unprocessableContent)
        }
    }
}

/// The workspace's templates.
struct TemplatesView: PageContent {
    static let template = "templates"

    struct Row {
        let name: String
        let kind: String
        let subject: String
        let path: String
    }

    let rows: [Row]
    let hasRows: Bool
    let canManage: Bool
}

/// A template's editor and its preview as one contact.
struct TemplateEditView: PageContent {
    static let template = "template_edit"

    struct Preview {
        let subject: String?
        let html: String?
        let text: String?
        let error: String?
    }

    let action: String
    /// Where the preview form goes (a GET with `contact`); nil for a template not saved yet.
    let previewAction: String?
    let form: [String: String]
    let kinds: [Option]
    /// The workspace's email topics, and "none" first.
    let topics: [Option]
    let canManage: Bool
    let errors: [String: String]
    let preview: Preview?
    let placeholders =
        #"{{first_name | default: "there"}}, {{last_name}}, {{company.name}}, {{custom.KEY}}, {{sender.name}}, {{unsubscribe_url}}, {{preferences_url}}"#
}

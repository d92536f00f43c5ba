import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The Tasks panel of the records tasks are about (contacts, companies): their open tasks and a form that
/// adds one about the record.
extension RecordPages {
    /// The task field that points at this object's records (`contact_id`); nil for an object tasks are not
    /// about.
    var taskField: String? { ObjectType.tasks.references(to: schema.name).first }

    /// The panel of a record's open tasks, due first; nil for an object tasks are not about, or a viewer
    /// whose role does not read tasks.
    func taskPanel(
        _ record: Record, principal: Principal, messages: [String: String], submitted: [String: String]?,
        errors: [FieldIssue]
    ) async throws -> TaskPanelView? {
        guard let field = taskField, principal.viewer.allows(.read, on: .tasks) else { return nil }
        let rows = TaskRows(services: services, user: principal.user, messages: messages)
        var query = ListQuery()
        query.filters = [.init(target: .standard(name: "done", kind: .boolean), op: .equals, value: .bool(false))]
        query.sort = .init(target: .standard(name: "due_at", kind: .dateTime), descending: false)
        let within = (column: field, value: record.id)
        let open = try await rows.service.list(principal.viewer, query: query, limit: 50, after: nil, within: within)
        let total = try await rows.service.count(principal.viewer, query: query, within: within)
        let path = WebPath.record(object, record.id)
        return TaskPanelView(
            rows: try await rows.rows(open.records, viewer: principal.viewer, back: path, showAssignee: true),
            hasRows: !open.records.isEmpty, count: Numbers.format(total, principal.user.language),
            add: principal.viewer.allows(.create, on: .tasks)
                ? rows.quickAdd(
                    action: WebPath.record(object, record.id, "tasks"), submitted: submitted, errors: errors)
                : nil,
            all: WebPath.list(ObjectType.tasks.name) + "?\(field)=\(record.id)")
    }

    /// Adds a task about the record from its panel's form, assigned to the viewer; a refused one shows the
    /// record's page again with the form as it was sent and its errors, and nothing is written.
    @Sendable func addTask(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let record = try await service.get(principal.viewer, id: id)
        guard let field = taskField else { throw RapportError.notFound(schema.the) }
        var fields = TaskRows(services: services, user: principal.user, messages: [:]).fields(from: form)
        fields[field] = .string(record.id)
        do {
            _ = try await RecordService(services, schema: .tasks).create(
                principal.viewer, fields: fields, actor: Self.actor(principal))
        } catch let error as RapportError where error.code == .invalid {
            return try await showPage(
                record, taskSubmitted: form, taskErrors: error.fields, request: request, context: context)
        }
        return pages.redirect(WebPath.record(object, record.id), flash: Flash("task_added"))
    }
}

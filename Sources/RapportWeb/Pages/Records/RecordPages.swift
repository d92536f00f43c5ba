import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The pages of every object of the catalogue: lists with filters, sort, saved views and bulk actions; the 360°
/// page with its timeline and composer; create and edit forms; merge; delete with confirmation.
struct RecordPages: Sendable {
    let services: Services
    let pages: Pages
    let service: RecordService
    var schema: ObjectType { service.schema }
    var base: String { WebPath.list(schema.name) }
    var object: String { schema.name }

    init(services: Services, pages: Pages, schema: ObjectType) {
        self.services = services
        self.pages = pages
        self.service = RecordService(services, schema: schema)
    }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(base), use: index)
        group.post(RouterPath(base), use: create)
        group.get(RouterPath(WebPath.list(object, "new")), use: newForm)
        group.get(RouterPath(WebPath.list(object, "export")), use: export)
        group.get(RouterPath(WebPath.list(object, "pick")), use: pick)
        group.post(RouterPath(WebPath.list(object, "bulk")), use: bulk)
        group.post(RouterPath(WebPath.list(object, "views")), use: saveView)
        group.post(RouterPath(WebPath.list(object, "columns")), use: saveColumns)
        group.post(RouterPath(WebPath.deleteView(object, ":view")), use: deleteView)
        group.get(RouterPath(WebPath.record(object, ":id")), use: show)
        group.post(RouterPath(WebPath.record(object, ":id")), use: update)
        group.get(RouterPath(WebPath.record(object, ":id", "edit")), use: editForm)
        group.post(RouterPath(WebPath.record(object, ":id", "activities")), use: addActivity)
        group.post(RouterPath(WebPath.record(object, ":id", "inline")), use: saveInline)
        group.post(RouterPath(WebPath.record(object, ":id", "follow")), use: follow)
        group.get(RouterPath(WebPath.record(object, ":id", "merge")), use: mergeForm)
        group.post(RouterPath(WebPath.record(object, ":id", "merge")), use: merge)
        group.get(RouterPath(WebPath.record(object, ":id", "delete")), use: confirmDelete)
        group.post(RouterPath(WebPath.record(object, ":id", "delete")), use: delete)
        if taskField != nil { group.post(RouterPath(WebPath.record(object, ":id", "tasks")), use: addTask) }
    }

    func messages(_ context: AppContext) -> [String: String] {
        pages.catalog.table(context.principal?.user.language ?? .en)
    }

    func label(_ name: String, _ messages: [String: String]) -> String {
        messages["field_\(name)"] ?? name.replacingOccurrences(of: "_", with: " ").capitalized
    }

    static func actor(_ principal: Principal) -> Actor { Actor(.user, id: principal.user.id) }

    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (list, parameters) = try await listRequest(
            request.uri.query, viewer: principal.viewer, ignoring: ["format"])
        let filtered = parameters.contains { $0.name != "sort" }
        return try ExportResponse.make(
            services, viewer: principal.viewer, object: schema.name,
            format: request.uri.queryParameters["format"].map(String.init),
            filter: filtered ? (list.query, list.search) : nil)
    }

    @Sendable func saveView(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let query = form["query"] ?? ""
        try await SavedViewService(services).create(
            principal, object: schema.name, name: form["name"] ?? "", query: query)
        return pages.redirect("\(base)?\(query)", flash: Flash("view_saved"))
    }

    @Sendable func deleteView(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await SavedViewService(services).delete(principal, id: try context.parameters.require("view"))
        return Pages.redirect(base)
    }

    // MARK: Forms

    @Sendable func newForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = Record.empty(schema, workspaceID: principal.workspace.id, now: 0)
        return try await form(
            record: record, submitted: nil, errors: [], isNew: true, request: request, context: context)
    }

    @Sendable func editForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            principal.viewer, id: try context.parameters.require("id"))
        return try await form(
            record: record, submitted: nil, errors: [], isNew: false, request: request, context: context)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let submitted = try await Form.read(&request)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        if submitted[Self.moreRows] != nil {
            // more blank rows, nothing saved
            let empty = Record.empty(schema, workspaceID: principal.workspace.id, now: 0)
            return try await form(
                record: empty, submitted: submitted, errors: [], isNew: true, request: request, context: context)
        }
        do {
            var fields = try await patch(
                from: submitted, definitions: definitions, viewer: principal.viewer,
                dates: Dates(viewer: principal.user, messages: [:]))
            // An owner or team left empty is the service's to choose: the creator, and the owner's first team
            // (else a member who sees only their own records would make one they cannot open).
            for name in [schema.ownerField, "team_id"] where fields[name] == .null { fields[name] = nil }
            let record = try await service.create(principal.viewer, fields: fields, actor: Self.actor(principal))
            return pages.redirect(WebPath.record(object, record.id), flash: Flash("created"))
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            let empty = Record.empty(schema, workspaceID: principal.workspace.id, now: 0)
            return try await form(
                record: empty, submitted: submitted, errors: issues(error), isNew: true, request: request,
                context: context)
        }
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let submitted = try await Form.read(&request)
        let record = try await service.get(principal.viewer, id: id)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        if submitted[Self.moreRows] != nil {
            // more blank rows, nothing saved
            return try await form(
                record: record, submitted: submitted, errors: [], isNew: false, request: request, context: context)
        }
        do {
            let version = submitted["version"].flatMap { Int64($0) }
            _ = try await service.update(
                principal.viewer, id: id,
                patch: try await patch(
                    from: submitted, definitions: definitions, viewer: principal.viewer,
                    dates: Dates(viewer: principal.user, messages: [:]), record: record),
                expectedVersion: version, actor: Self.actor(principal))
            return pages.redirect(WebPath.record(object, id), flash: Flash("saved"))
        } catch let error as RapportError where [.invalid, .conflict, .stale].contains(error.code) {
            return try await form(
                record: record, submitted: submitted, errors: issues(error), isNew: false, request: request,
                context: context)
        }
    }

    func issues(_ error: RapportError) -> [FieldIssue] {
        var issues = error.fields
        if error.code == .stale { issues.append(FieldIssue("form", error.detail)) }
        if let existing = error.extras["existing_id"] {
            issues.append(FieldIssue("existing", WebPath.record(object, existing)))
        }
        return issues
    }

    // MARK: Delete

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            principal.viewer, id: try context.parameters.require("id"))
        return pages.render(
            RecordDeleteView(recordTitle: title(of: record), path: WebPath.record(object, record.id)),
            request: request, context: context, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            principal.viewer, id: try context.parameters.require("id"))
        try await service.delete(
            principal.viewer, id: record.id, expectedVersion: nil, actor: Self.actor(principal))
        return pages.redirect(base, flash: Flash("record_deleted"))
    }
}

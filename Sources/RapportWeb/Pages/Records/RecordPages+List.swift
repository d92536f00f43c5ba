import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The list page of an object.
extension RecordPages {
    @Sendable func index(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let workspaceID = principal.workspace.id
        let messages = messages(context)
        let definitions = try await service.customFields(workspaceID: workspaceID)
        var parameters = QueryItems.parse(request.uri.query).filter { !$0.value.isEmpty }
        let list = RecordListRequest(parameters, schema: schema, customFields: definitions)
        let sort = list.sort
        parameters.removeAll { $0.name == "sort" || $0.name == "cursor" }
        parameters.append(("sort", sort))
        let cursorText = request.uri.queryParameters["cursor"].map(String.init)
        let error =
            list.issues.isEmpty ? nil : list.issues.map { "\($0.field): \($0.message)" }.joined(separator: " ")
        let result =
            error == nil
            ? try await service.list(
                workspaceID: workspaceID, query: list.query, limit: 50, after: list.after, search: list.search)
            : (records: [], next: nil)
        let columns = schema.list.columns
        let titles = try await service.referenceTitles(result.records, fields: columns, workspaceID: workspaceID)
        let rows = result.records.map { record in
            RecordListView.Row(
                id: record.id, path: WebPath.record(object, record.id), title: title(of: record),
                cells: columns.map { cell($0, of: record, titles: titles, messages: messages) })
        }
        let keep = parameters.filter { $0.name != "sort" }
        func link(_ extra: [(String, String)]) -> String {
            let items = (keep + extra).map { "\(QueryItems.encode($0.0))=\(QueryItems.encode($0.1))" }
            return base + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        let users = try await AccountService(services).choices(workspaceID: workspaceID)
        let views = try await SavedViewService(services).list(principal, object: schema.name)
        let view = RecordListView(
            heading: messages[schema.name] ?? schema.name,
            newLabel: messages["new_\(schema.recordType)"] ?? "New",
            base: base, rows: rows, hasRows: !rows.isEmpty, error: error,
            filters: filters(selected: keep, users: users, messages: messages),
            columns: columns.map { RecordListView.Column(label: label($0, messages)) },
            sorts: schema.list.sorts.map {
                Option(value: $0.value, label: messages[$0.label] ?? $0.label, selected: $0.value == sort)
            },
            next: result.next.map { link([("sort", sort), ("cursor", list.cursorText($0))]) },
            first: cursorText == nil ? nil : link([("sort", sort)]),
            currentQuery: (keep + [("sort", sort)]).map { "\(QueryItems.encode($0.0))=\(QueryItems.encode($0.1))" }
                .joined(separator: "&"),
            hasViews: !views.isEmpty,
            views: views.map {
                RecordListView.SavedViewLink(
                    name: $0.name, path: "\(base)?\($0.query)", delete: WebPath.deleteView(object, $0.id))
            },
            bulkPath: WebPath.list(object, "bulk"),
            users: users.map { RecordListView.User(id: $0.id, name: $0.name) })
        return pages.render(view, request: request, context: context, title: schema.name)
    }

    /// The filter bar: each of the object's filterable fields, with what the list is filtered by now.
    func filters(
        selected: [(name: String, value: String)], users: [(id: String, name: String)], messages: [String: String]
    ) -> [RecordListView.Filter] {
        let value = { (name: String) in selected.last { $0.name == name }?.value ?? "" }
        return schema.list.filters.compactMap { name -> RecordListView.Filter? in
            guard let field = schema.field(name) else { return nil }
            let label = label(name, messages)
            switch field.kind {
            case .choice(let choices):
                return .init(
                    name: name, label: label,
                    options: choices.map {
                        Option(
                            value: $0, label: displayValue(name, .string($0), messages), selected: value(name) == $0)
                    })
            case .reference("users"):
                return .init(
                    name: name, label: label,
                    options: users.map { Option(value: $0.id, label: $0.name, selected: value(name) == $0.id) })
            case .tags:
                return .init(
                    name: "\(name)[contains]", label: messages["tag"] ?? "Tag", text: true,
                    value: value("\(name)[contains]").nonEmpty)
            case .country:
                return .init(name: name, label: label, text: true, country: true, value: value(name).nonEmpty)
            case .boolean:
                return .init(
                    name: name, label: label,
                    options: ["true", "false"].map {
                        Option(value: $0, label: messages["bool_\($0)"] ?? $0, selected: value(name) == $0)
                    })
            default:
                return .init(name: name, label: label, text: true, value: value(name).nonEmpty)
            }
        }
    }
}

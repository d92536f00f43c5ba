import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The list page of an object.
extension RecordPages {
    /// Query parameters that shape the page rather than choose the records.
    static let pageParameters: Set<String> = ["cursor", "before", "start", "columns"]

    /// What a list's query string chooses (its filters, search words and sort, not its page), checked;
    /// with the parameters it was read from.
    /// - Throws: `invalid` naming a parameter that cannot be read.
    func listRequest(_ queryString: String?, viewer: Viewer, ignoring extra: Set<String> = []) async throws
        -> (list: RecordListRequest, parameters: [(name: String, value: String)])
    {
        let workspaceID = viewer.workspaceID
        let definitions = try await service.customFields(workspaceID: workspaceID)
        let parameters = QueryItems.parse(queryString).filter {
            !$0.value.isEmpty && !Self.pageParameters.contains($0.name) && !extra.contains($0.name)
        }
        var list = RecordListRequest(
            parameters.filter { $0.name != Self.scopeParameter }, schema: schema, customFields: definitions)
        guard list.issues.isEmpty else { throw RapportError.invalid(list.issues) }
        list.query.scope = quickScope(parameters)
        try await applySegment(parameters.last { $0.name == "segment_id" }?.value, to: &list.query, viewer: viewer)
        return (list, parameters)
    }

    /// The filter panel's choice of a saved segment (contacts' lists, for readers of segments).
    func segmentFilter(_ viewer: Viewer, selected: String?, messages: [String: String]) async throws
        -> [RecordListView.Filter]
    {
        guard schema.name == ObjectType.contacts.name else { return [] }
        let segments = try await SegmentService(services).all(viewer)
        guard !segments.isEmpty else { return [] }
        return [
            .init(
                name: "segment_id", label: messages["field_segment_id"] ?? "Segment",
                options: segments.map { Option(value: $0.id, label: $0.name, selected: $0.id == selected) })
        ]
    }

    /// A saved segment's members only (`?segment_id=`, contacts' lists).
    /// - Throws: `notFound` for an unknown segment; `invalid` when it cannot be used now or here.
    func applySegment(_ id: String?, to query: inout ListQuery, viewer: Viewer) async throws {
        guard let id else { return }
        guard schema.name == ObjectType.contacts.name else {
            throw RapportError.invalid([FieldIssue("segment_id", "Only contacts are members of segments.")])
        }
        try await SegmentService(services).apply(id, to: &query, viewer: viewer)
    }

    /// The parameter of the quick filters "My records" (`own`) and "My team's" (`team`).
    static let scopeParameter = "scope"

    /// The quick filter a list's parameters choose, for an object whose records have owners.
    func quickScope(_ parameters: [(name: String, value: String)]) -> Visibility? {
        guard schema.isOwned, let value = parameters.last(where: { $0.name == Self.scopeParameter })?.value else {
            return nil
        }
        return Visibility(rawValue: value).flatMap { $0 == .all ? nil : $0 }
    }
    static let pageSize = 50

    @Sendable func index(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let workspaceID = principal.workspace.id
        let language = principal.user.language
        let messages = messages(context)
        let definitions = try await service.customFields(workspaceID: workspaceID)
        let hidden = principal.viewer.hiddenFields(schema)
        let all = QueryItems.parse(request.uri.query).filter { !$0.value.isEmpty }
        let given = { (name: String) in all.last { $0.name == name }?.value }
        var list = RecordListRequest(
            all.filter {
                (!Self.pageParameters.contains($0.name) || $0.name == "cursor") && $0.name != Self.scopeParameter
            }, schema: schema, customFields: definitions)
        let scope = quickScope(all)
        list.query.scope = scope
        let sort = list.sort
        let before = given("before").flatMap { RecordCursorText.decode($0, sort: sort) }
        let start = max(0, given("start").flatMap { Int($0) } ?? 0)
        // What the list is filtered by: every parameter that chooses records, the search words included.
        let filters = all.filter { !Self.pageParameters.contains($0.name) && $0.name != "sort" }
        var error =
            list.issues.isEmpty ? nil : list.issues.map { "\($0.field): \($0.message)" }.joined(separator: " ")
        var segmentName: String?
        if error == nil, let segmentID = given("segment_id") {
            do {
                try await applySegment(segmentID, to: &list.query, viewer: principal.viewer)
                segmentName = try await SegmentService(services).get(principal.viewer, id: segmentID).name
            } catch let refusal as RapportError where refusal.code == .invalid {
                error = refusal.fields.map { Pages.translate($0, messages) }.joined(separator: " ")
            }
        }
        var result: (records: [Record], next: RecordCursor?, previous: RecordCursor?) = ([], nil, nil)
        var total = 0
        if error == nil {
            do {
                result = try await service.list(
                    principal.viewer, query: list.query, limit: Self.pageSize,
                    after: before == nil ? list.after : nil,
                    before: before, search: list.search)
                total = try await service.count(principal.viewer, query: list.query, search: list.search)
            } catch let refusal as RapportError where refusal.code == .forbidden {
                // A filter or sort by a field the role hides (an old link, a saved view): said, not a dead end.
                error = refusal.fields.first.map { Pages.translate($0, messages) } ?? refusal.detail
            }
        }
        let views = SavedViewService(services)
        let columns = chosenColumns(
            given("columns"), saved: try await views.columns(principal, object: object), definitions: definitions,
            hidden: hidden)
        let titles = try await service.referenceTitles(result.records, fields: columns, viewer: principal.viewer)
        let labels = columns.map { columnLabel($0, definitions: definitions, messages: messages) }
        let dates = Dates(viewer: principal.user, messages: messages)
        let rows = result.records.map { record in
            RecordListView.Row(
                id: record.id, path: WebPath.record(object, record.id), title: title(of: record),
                cells: zip(columns, labels).map { name, label in
                    var cell = cell(
                        name, of: record, titles: titles, definitions: definitions, messages: messages,
                        dates: dates)
                    cell.label = label
                    return cell
                })
        }
        let columnsParameter = given("columns") == nil ? nil : columns.joined(separator: ",")
        func link(_ items: [(name: String, value: String)]) -> String {
            let query = items.map { "\(QueryItems.encode($0.name))=\(QueryItems.encode($0.value))" }
            return base + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }
        let kept = filters + [("sort", sort)] + (columnsParameter.map { [("columns", $0)] } ?? [])
        let users = try await AccountService(services).choices(workspaceID: workspaceID)
        let teams =
            schema.field("team_id") == nil
            ? [] : try await TeamService(services).all(principal).map { (id: $0.id, name: $0.name) }
        let saved = try await views.list(principal, object: schema.name)
        let chips = chips(
            filters, kept: kept, users: users, teams: teams, definitions: definitions, messages: messages, link: link,
            segmentName: segmentName)
        let active = filters.filter { $0.name != "q" && $0.name != Self.scopeParameter }.count
        let quick = quickFilters(
            scope, kept: kept.filter { $0.name != Self.scopeParameter }, messages: messages, link: link)
        let rules = principal.viewer.rules(schema)
        let writable = { (field: String) in
            schema.field(field) != nil && rules.fields[field] == nil && rules.allows(.edit)
        }
        let shownFrom = start + 1
        let shownTo = start + rows.count
        let view = RecordListView(
            heading: messages[schema.name] ?? schema.name,
            newLabel: messages["new_\(schema.recordType)"] ?? "New",
            base: base,
            exportPath: WebPath.list(object, "export") + "?"
                + (["format=csv"]
                + filters.map {
                    "\(QueryItems.encode($0.name))=\(QueryItems.encode($0.value))"
                }).joined(separator: "&"),
            duplicatesPath: schema.duplicates.isEmpty ? nil : WebPath.duplicates(object),
            q: given("q"), rows: rows, hasRows: !rows.isEmpty, error: error,
            total: (messages["count_records"] ?? "{count}").replacingOccurrences(
                of: "{count}", with: Numbers.format(total, language)),
            totalCount: total,
            position: rows.isEmpty
                ? nil
                : (messages["list_position"] ?? "{from}–{to} of {total}")
                    .replacingOccurrences(of: "{from}", with: Numbers.format(shownFrom, language))
                    .replacingOccurrences(of: "{to}", with: Numbers.format(shownTo, language))
                    .replacingOccurrences(of: "{total}", with: Numbers.format(total, language)),
            filters: try await segmentFilter(principal.viewer, selected: given("segment_id"), messages: messages)
                + filterPanel(
                    selected: filters, users: users, teams: teams, definitions: definitions, hidden: hidden,
                    messages: messages),
            activeFilters: active == 0 ? nil : Numbers.format(active, language),
            chips: chips, hasChips: !chips.isEmpty,
            clearPath: filters.isEmpty
                ? nil : link([("sort", sort)] + (columnsParameter.map { [("columns", $0)] } ?? [])),
            columns: zip(columns, labels).map { name, label in
                header(
                    name, label: label, sort: sort, definitions: definitions, hidden: hidden,
                    link: { link(filters + [("sort", $0)] + (columnsParameter.map { [("columns", $0)] } ?? [])) })
            },
            nameColumn: header(
                schema.title.first?.last ?? "created_at", label: messages["name"] ?? "Name", sort: sort,
                definitions: definitions, hidden: hidden,
                link: { link(filters + [("sort", $0)] + (columnsParameter.map { [("columns", $0)] } ?? [])) }),
            choices: columnChoices(columns, definitions: definitions, hidden: hidden, messages: messages),
            columnsPath: WebPath.list(object, "columns"),
            sorts: schema.list.sorts.filter { !hidden.contains(String($0.value.trimmingPrefix("-"))) }.map {
                Option(value: $0.value, label: messages[$0.label] ?? $0.label, selected: $0.value == sort)
            },
            next: result.next.map {
                link(kept + [("cursor", list.cursorText($0)), ("start", String(start + rows.count))])
            },
            previous: result.previous.map {
                link(kept + [("before", list.cursorText($0)), ("start", String(max(0, start - Self.pageSize)))])
            },
            currentQuery: kept.map { "\(QueryItems.encode($0.0))=\(QueryItems.encode($0.1))" }.joined(separator: "&"),
            sort: sort, columnsParameter: columnsParameter,
            hasViews: !saved.isEmpty,
            views: saved.map {
                RecordListView.SavedViewLink(
                    name: $0.name, path: "\(base)?\($0.query)", delete: WebPath.deleteView(object, $0.id))
            },
            bulkPath: WebPath.list(object, "bulk"),
            users: users.map { RecordListView.User(id: $0.id, name: $0.name) },
            moreThanPage: total > rows.count, canTag: writable("tags"), canAssign: writable("owner_id"),
            canDelete: rules.allows(.delete),
            hasBulk: writable("tags") || writable("owner_id") || rules.allows(.delete),
            quickFilters: quick, hasQuickFilters: !quick.isEmpty, scope: scope?.rawValue,
            canCreate: rules.allows(.create), canImport: rules.allows(.import),
            canExport: rules.allows(.export))
        return pages.render(view, request: request, context: context, title: schema.name)
    }

    /// The columns a name can stand for: the object's fields, its custom fields and the record's times,
    /// less the fields the viewer's role hides.
    func columnNames(definitions: [CustomFieldDefinition], hidden: Set<String>) -> [String] {
        (schema.fields.map(\.name) + definitions.map { "custom.\($0.key)" } + ["created_at", "updated_at"])
            .filter { !hidden.contains($0) }
    }

    /// "All", "My records", "My team's": links to the list narrowed to the viewer's own records or their
    /// team's, for an object whose records have owners; the current one marked.
    func quickFilters(
        _ scope: Visibility?, kept: [(name: String, value: String)], messages: [String: String],
        link: ([(name: String, value: String)]) -> String
    ) -> [RecordListView.QuickFilter] {
        guard schema.isOwned else { return [] }
        return [(nil, "quick_all"), (Visibility.own, "quick_mine"), (Visibility.team, "quick_team")].map {
            choice, key in
            RecordListView.QuickFilter(
                label: messages[key] ?? key, hint: messages["\(key)_hint"],
                path: link(kept + (choice.map { [(Self.scopeParameter, $0.rawValue)] } ?? [])), current: choice == scope
            )
        }
    }

    /// The columns to show: those of the address, else the user's choice, else the object's own; names that
    /// are not (or no longer) columns are dropped.
    func chosenColumns(
        _ given: String?, saved: [String]?, definitions: [CustomFieldDefinition], hidden: Set<String>
    ) -> [String] {
        let known = Set(columnNames(definitions: definitions, hidden: hidden))
        for choice in [given.map { $0.split(separator: ",").map(String.init) }, saved] {
            let valid = (choice ?? []).filter(known.contains)
            if !valid.isEmpty { return valid }
        }
        return schema.list.columns.filter(known.contains)
    }

    func columnLabel(_ name: String, definitions: [CustomFieldDefinition], messages: [String: String]) -> String {
        if name.hasPrefix("custom.") {
            let key = String(name.dropFirst("custom.".count))
            return definitions.first { $0.key == key }?.label ?? key
        }
        return label(name, messages)
    }

    /// A column's header, linking to the list sorted by it (reversed when it already is).
    func header(
        _ name: String, label: String, sort: String, definitions: [CustomFieldDefinition], hidden: Set<String>,
        link: (String) -> String
    ) -> RecordListView.Column {
        let isReference = if case .reference? = schema.field(name)?.kind { true } else { false }
        guard !isReference, !hidden.contains(name),
            ListQuery.canSort(by: name, schema: schema, customFields: definitions)
        else {
            return .init(label: label, sortPath: nil, sorted: nil)
        }
        let sorted: String? = sort == name ? "ascending" : sort == "-\(name)" ? "descending" : nil
        return .init(label: label, sortPath: link(sort == name ? "-\(name)" : name), sorted: sorted)
    }

    /// The column chooser's boxes: the chosen columns first, in their order, then the others.
    func columnChoices(
        _ chosen: [String], definitions: [CustomFieldDefinition], hidden: Set<String>, messages: [String: String]
    ) -> [RecordListView.ColumnChoice] {
        let others = columnNames(definitions: definitions, hidden: hidden).filter { !chosen.contains($0) }
        return chosen.map {
            .init(name: $0, label: columnLabel($0, definitions: definitions, messages: messages), checked: true)
        }
            + others.map {
                .init(name: $0, label: columnLabel($0, definitions: definitions, messages: messages), checked: false)
            }
    }

    /// Keeps the user's choice of columns and shows the list with them.
    @Sendable func saveColumns(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.readAll(&request)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        let known = Set(columnNames(definitions: definitions, hidden: principal.viewer.hiddenFields(schema)))
        let columns = form.all("columns").filter(known.contains)
        try await SavedViewService(services).saveColumns(principal, object: object, columns: columns)
        let query =
            QueryItems.parse(form.last["query"]).filter {
                $0.name != "columns" && !Self.pageParameters.contains($0.name)
            }
            + [("columns", columns.joined(separator: ","))]
        return Pages.redirect(
            base + "?"
                + query.map { "\(QueryItems.encode($0.name))=\(QueryItems.encode($0.value))" }.joined(separator: "&"))
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices
import RapportStore

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
        group.post(RouterPath(WebPath.list(object, "bulk")), use: bulk)
        group.post(RouterPath(WebPath.list(object, "views")), use: saveView)
        group.post(RouterPath(WebPath.deleteView(object, ":view")), use: deleteView)
        group.get(RouterPath(WebPath.record(object, ":id")), use: show)
        group.post(RouterPath(WebPath.record(object, ":id")), use: update)
        group.get(RouterPath(WebPath.record(object, ":id", "edit")), use: editForm)
        group.post(RouterPath(WebPath.record(object, ":id", "activities")), use: addActivity)
        group.get(RouterPath(WebPath.record(object, ":id", "merge")), use: mergeForm)
        group.post(RouterPath(WebPath.record(object, ":id", "merge")), use: merge)
        group.get(RouterPath(WebPath.record(object, ":id", "delete")), use: confirmDelete)
        group.post(RouterPath(WebPath.record(object, ":id", "delete")), use: delete)
    }

    func messages(_ context: AppContext) -> [String: String] {
        pages.catalog.table(context.principal?.user.language ?? .en)
    }

    func label(_ name: String, _ messages: [String: String]) -> String {
        messages["field_\(name)"] ?? name.replacingOccurrences(of: "_", with: " ").capitalized
    }

    static func actor(_ principal: Principal) -> Actor { Actor(.user, id: principal.user.id) }

    // MARK: Display

    /// A value as text for a person.
    static func display(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "✓" : "✗"
        case .number(let number):
            return number.rounded() == number && abs(number) < 9e15 ? String(Int64(number)) : String(number)
        case .array(let items):
            return items.map { item in
                if case .object(let phone) = item {
                    return [phone["number"], phone["type"]].compactMap { $0.map(display) }.joined(separator: " · ")
                }
                return display(item)
            }.joined(separator: ", ")
        case .object(let members):
            return members.sorted { $0.key < $1.key }.map { "\($0.key): \(display($0.value))" }.joined(separator: ", ")
        }
    }

    /// A field's value as text, translated where it is one of a fixed list.
    func displayValue(_ field: String, _ value: JSONValue, _ messages: [String: String]) -> String {
        if case .bool(let flag) = value { return messages["bool_\(flag)"] ?? Self.display(value) }
        let text = Self.display(value)
        switch field {
        case "lifecycle_stage": return messages["stage_\(text)"] ?? text
        case "email_consent": return messages["consent_\(text)"] ?? text
        default: return text
        }
    }

    /// What a record is called.
    func title(of record: Record) -> String { schema.title(of: record) }

    /// Titles of the records that `records`' reference fields point to, by field and id (a contact's
    /// company; a record's owner).
    func referenceTitles(_ records: [Record], fields: [String], workspaceID: String) async throws
        -> [String: [String: String]]
    {
        var titles: [String: [String: String]] = [:]
        for name in fields {
            guard case .reference(let table)? = schema.field(name)?.kind else { continue }
            let ids = Array(Set(records.compactMap { $0.string(name) }))
            guard !ids.isEmpty else { continue }
            if table == "users" {
                var users: [String: String] = [:]
                for id in ids {
                    if let user = try await services.accounts.user(workspaceID: workspaceID, id: id) {
                        users[id] = user.name
                    }
                }
                titles[name] = users
            } else if let target = ObjectCatalog.named(table) {
                titles[name] = try await RecordRepository(store: services.store, schema: target).names(
                    workspaceID: workspaceID, ids: ids)
            }
        }
        return titles
    }

    /// One cell of a list row: the value as a person reads it, a link for a reference to a record.
    func cell(
        _ name: String, of record: Record, titles: [String: [String: String]], messages: [String: String]
    ) -> [String: Any] {
        guard let field = schema.field(name) else { return [:] }
        if case .reference(let table) = field.kind, let id = record.string(name) {
            let title = titles[name]?[id] ?? ""
            return ObjectCatalog.named(table) != nil
                ? ["value": title, "link": WebPath.record(table, id)] : ["value": title]
        }
        if case .money(let currency) = field.kind, case .number(let amount) = record[name] {
            return ["value": Currencies.format(minorUnits: Int64(amount), code: record.string(currency)), "ltr": true]
        }
        return ["value": displayValue(name, record[name], messages), "ltr": Self.isLeftToRight(field.kind)]
    }

    /// Values written in Latin script whatever the page's direction: addresses, numbers, codes.
    static func isLeftToRight(_ kind: FieldKind) -> Bool {
        switch kind {
        case .email, .emailList, .domain, .phones, .date, .timestamp, .timeZone, .languageTag, .country, .currency,
            .money:
            true
        default: false
        }
    }

    // MARK: List

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
            ? try await service.repository.list(
                workspaceID: workspaceID, query: list.query, limit: 50, after: list.after, search: list.search)
            : (records: [], next: nil)
        let columns = schema.list.columns
        let titles = try await referenceTitles(result.records, fields: columns, workspaceID: workspaceID)
        let rows = result.records.map { record -> [String: Any] in
            [
                "id": record.id, "path": WebPath.record(object, record.id), "title": title(of: record),
                "cells": columns.map { cell($0, of: record, titles: titles, messages: messages) },
            ]
        }
        let keep = parameters.filter { $0.name != "sort" }
        func link(_ extra: [(String, String)]) -> String {
            let items = (keep + extra).map { "\(QueryItems.encode($0.0))=\(QueryItems.encode($0.1))" }
            return base + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        let value = { (name: String) in keep.last { $0.name == name }?.value ?? "" }
        let users = try await services.accounts.users(workspaceID: workspaceID, limit: 200, after: nil).items
        let filters = schema.list.filters.compactMap { name -> [String: Any]? in
            guard let field = schema.field(name) else { return nil }
            var filter: [String: Any] = ["label": label(name, messages), "name": name]
            switch field.kind {
            case .choice(let choices):
                filter["options"] = choices.map {
                    ["value": $0, "label": displayValue(name, .string($0), messages), "selected": value(name) == $0]
                        as [String: Any]
                }
            case .reference("users"):
                filter["options"] = users.map {
                    ["value": $0.id, "label": $0.name, "selected": value(name) == $0.id] as [String: Any]
                }
            case .tags:
                filter["name"] = "\(name)[contains]"
                filter["label"] = messages["tag"] ?? "Tag"
                filter["text"] = true
                filter["value"] = value("\(name)[contains]")
            case .country:
                filter["text"] = true
                filter["country"] = true
                filter["value"] = value(name)
            case .boolean:
                filter["options"] = ["true", "false"].map {
                    ["value": $0, "label": messages["bool_\($0)"] ?? $0, "selected": value(name) == $0] as [String: Any]
                }
            default:
                filter["text"] = true
                filter["value"] = value(name)
            }
            return filter
        }
        let views = try await SavedViewRepository(store: services.store).list(
            workspaceID: workspaceID, userID: principal.user.id, object: schema.name)
        return pages.render(
            "records/index",
            [
                "heading": messages[schema.name] ?? schema.name,
                "new_label": messages["new_\(schema.recordType)"] ?? "New",
                "base": base, "rows": rows, "has_rows": !rows.isEmpty, "error": error ?? "",
                "filters": filters,
                "columns": columns.map { ["label": label($0, messages)] },
                "sorts": schema.list.sorts.map {
                    ["value": $0.value, "label": messages[$0.label] ?? $0.label, "selected": $0.value == sort]
                        as [String: Any]
                },
                "next": result.next.map { link([("sort", sort), ("cursor", list.cursorText($0))]) }
                    ?? "",
                "first": cursorText == nil ? "" : link([("sort", sort)]),
                "current_query": (keep + [("sort", sort)]).map {
                    "\(QueryItems.encode($0.0))=\(QueryItems.encode($0.1))"
                }
                .joined(separator: "&"),
                "has_views": !views.isEmpty,
                "views": views.map {
                    ["name": $0.name, "path": "\(base)?\($0.query)", "delete": WebPath.deleteView(object, $0.id)]
                },
                "bulk_path": WebPath.list(object, "bulk"),
                "users": users.map { ["id": $0.id, "name": $0.name] },
            ],
            request: request, context: context, title: schema.name)
    }

    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try ExportResponse.make(
            services, workspaceID: principal.workspace.id, object: schema.name,
            format: request.uri.queryParameters["format"].map(String.init))
    }

    @Sendable func saveView(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let query = form["query"] ?? ""
        guard !name.isEmpty, name.count <= 100, query.count <= 2000 else {
            throw RapportError(.invalid, "A view needs a name of at most 100 characters.")
        }
        try await SavedViewRepository(store: services.store).create(
            workspaceID: principal.workspace.id, userID: principal.user.id, object: schema.name, name: name,
            query: query)
        return Pages.redirect("\(base)?\(query)")
    }

    @Sendable func deleteView(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await SavedViewRepository(store: services.store).delete(
            workspaceID: principal.workspace.id, userID: principal.user.id, id: try context.parameters.require("view"))
        return Pages.redirect(base)
    }

    /// Tag, assign or delete the checked records; deleting asks for a confirmation first.
    @Sendable func bulk(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.readAll(&request)
        let fields = form.last
        let ids = form.all("ids").filter(RecordID.isWellFormed)
        let action = fields["action"] ?? ""
        let actor = Self.actor(principal)
        guard !ids.isEmpty else { return Pages.redirect(base) }
        switch action {
        case "tag":
            let tag = (fields["value"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            for id in ids {
                let record = try await service.get(workspaceID: principal.workspace.id, id: id)
                let tags = record.strings("tags") + [tag]
                _ = try await service.update(
                    workspaceID: principal.workspace.id, id: id, patch: ["tags": .array(tags.map(JSONValue.string))],
                    expectedVersion: nil, actor: actor)
            }
        case "owner":
            let owner = fields["owner"].flatMap { $0.isEmpty ? nil : $0 }
            for id in ids {
                _ = try await service.update(
                    workspaceID: principal.workspace.id, id: id,
                    patch: ["owner_id": owner.map(JSONValue.string) ?? .null],
                    expectedVersion: nil, actor: actor)
            }
        case "delete":
            guard fields["confirm"] == "yes" else {
                return pages.render(
                    "records/bulk_delete", ["base": base, "ids": ids, "count": ids.count],
                    request: request, context: context, title: "confirm_delete")
            }
            for id in ids {
                try await service.delete(
                    workspaceID: principal.workspace.id, id: id, expectedVersion: nil, actor: actor)
            }
        default:
            throw RapportError(.invalid, "Choose what to do with the selected records.")
        }
        return Pages.redirect(base)
    }

    // MARK: 360° page

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        return try await showPage(record, request: request, context: context)
    }

    func showPage(
        _ record: Record, composerErrors: [FieldIssue] = [], request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let workspaceID = principal.workspace.id
        let messages = messages(context)
        let definitions = try await service.customFields(workspaceID: workspaceID)
        let references = schema.fields.filter { if case .reference = $0.kind { true } else { false } }.map(\.name)
        let titles = try await referenceTitles([record], fields: references, workspaceID: workspaceID)
        var details: [[String: Any]] = []
        var links: [[String: Any]] = []
        for field in schema.fields where record[field.name] != .null && record[field.name] != field.kind.emptyValue {
            if case .reference(let table) = field.kind, ObjectCatalog.named(table) != nil,
                let id = record.string(field.name)
            {
                links.append([
                    "label": label(field.name, messages), "name": titles[field.name]?[id] ?? id,
                    "path": WebPath.record(table, id),
                ])
                continue
            }
            var item = cell(field.name, of: record, titles: titles, messages: messages)
            item["label"] = label(field.name, messages)
            details.append(item)
        }
        for definition in definitions where record.custom[definition.key] != nil {
            details.append(["label": definition.label, "value": Self.display(record.custom[definition.key]!)])
        }
        var events: [[String: Any]] = []
        if schema.timeline != nil {
            events = try await timelineItems(record, workspaceID: workspaceID, messages: messages)
        }
        var related: [[String: Any]] = []
        for (type, field) in ObjectCatalog.referrers(of: schema.name) {
            var query = ListQuery()
            if let first = type.title.first?.last, let spec = type.field(first) {
                query.sort = ListQuery.Sort(target: .standard(name: first, kind: spec.kind), descending: false)
            }
            let found = try await RecordRepository(store: services.store, schema: type).list(
                workspaceID: workspaceID, query: query, limit: 200, after: nil, scope: (field, record.id))
            let rows = found.records.map { other -> [String: Any] in
                [
                    "title": type.title(of: other), "path": WebPath.record(type.name, other.id),
                    "subtitle": type.subtitle.flatMap { other.string($0) } ?? "",
                ]
            }
            related.append([
                "heading": messages["related_\(type.name)"] ?? messages[type.name] ?? type.name,
                "empty": messages["no_related_\(type.name)"] ?? messages["nothing_found"] ?? "",
                "rows": rows, "has_rows": !rows.isEmpty,
            ])
        }
        let activityTypes = TimelineEvent.activityTypes.map { ["value": $0, "label": messages["event_\($0)"] ?? $0] }
        return pages.render(
            "records/show",
            [
                "title": title(of: record), "details": details, "links": links, "related": related,
                "has_timeline": schema.timeline != nil,
                "events": events, "has_events": !events.isEmpty,
                "path": WebPath.record(object, record.id), "activity_types": activityTypes,
                "composer_errors": Pages.errorMap(composerErrors), "base": base,
            ],
            request: request, context: context, status: composerErrors.isEmpty ? .ok : .unprocessableContent,
            title: title(of: record))
    }

    /// The newest entries of a record's timeline as the page shows them; an entry of a record that points
    /// here (a contact's, on its company's page) links to that record.
    func timelineItems(_ record: Record, workspaceID: String, messages: [String: String]) async throws
        -> [[String: Any]]
    {
        let timeline = try await TimelineRepository(store: services.store).page(
            workspaceID: workspaceID, subject: .init(schema, id: record.id), types: [], limit: 100, after: nil)
        var others: [(type: ObjectType, column: String, titles: [String: String])] = []
        for (type, _) in ObjectCatalog.referrers(of: schema.name) {
            guard let column = type.timeline?.column, column != schema.timeline?.column else { continue }
            let ids = timeline.items.compactMap { $0.recordID(column: column) }
            let titles = try await RecordRepository(store: services.store, schema: type).names(
                workspaceID: workspaceID, ids: ids)
            others.append((type, column, titles))
        }
        return timeline.items.map { event -> [String: Any] in
            var item: [String: Any] = [
                "type": messages["event_\(event.type)"] ?? event.type, "kind": event.type,
                "when": Pages.displayTime(event.occurredAt),
                "body": event.data["body"].map(Self.display) ?? "",
            ]
            if case .number(let minutes)? = event.data["duration_minutes"] { item["minutes"] = Int(minutes) }
            if case .array(let changes)? = event.data["changes"] {
                item["has_changes"] = !changes.isEmpty
                item["changes"] = changes.compactMap { change -> String? in
                    guard case .object(let members) = change, case .string(let field)? = members["field"] else {
                        return nil
                    }
                    return
                        "\(label(field, messages)): \(Self.display(members["old"] ?? .null)) → \(Self.display(members["new"] ?? .null))"
                }
            }
            for other in others {
                if let id = event.recordID(column: other.column) {
                    item["person"] = other.titles[id] ?? ""
                    item["person_path"] = WebPath.record(other.type.name, id)
                }
            }
            return item
        }
    }

    @Sendable func addActivity(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let record = try await service.get(workspaceID: principal.workspace.id, id: id)
        let minutes = form["duration_minutes"].flatMap { $0.isEmpty ? nil : Double($0) ?? -1 }
        do {
            _ = try await service.addActivity(
                workspaceID: principal.workspace.id, id: id,
                draft: ActivityDraft(type: form["type"], body: form["body"], occurredAt: nil, durationMinutes: minutes),
                actor: Self.actor(principal))
        } catch let error as RapportError where error.code == .invalid {
            return try await showPage(record, composerErrors: error.fields, request: request, context: context)
        }
        return Pages.redirect(WebPath.record(object, id))
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
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        return try await form(
            record: record, submitted: nil, errors: [], isNew: false, request: request, context: context)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let submitted = try await Form.read(&request)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        do {
            let record = try await service.create(
                workspaceID: principal.workspace.id, fields: patch(from: submitted, definitions: definitions),
                actor: Self.actor(principal))
            return Pages.redirect(WebPath.record(object, record.id))
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
        let record = try await service.get(workspaceID: principal.workspace.id, id: id)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        do {
            let version = submitted["version"].flatMap { Int64($0) }
            _ = try await service.update(
                workspaceID: principal.workspace.id, id: id, patch: patch(from: submitted, definitions: definitions),
                expectedVersion: version, actor: Self.actor(principal))
            return Pages.redirect(WebPath.record(object, id))
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

    /// The form fields for a record (or what was submitted), with their inline errors.
    func form(
        record: Record, submitted: [String: String]?, errors: [FieldIssue], isNew: Bool, request: Request,
        context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = messages(context)
        let errorMap = Pages.errorMap(errors)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        var choices: [String: [(id: String, name: String)]] = [:]
        for field in schema.fields where field.writable {
            guard case .reference(let table) = field.kind, choices[table] == nil else { continue }
            if table == "users" {
                choices[table] = try await services.accounts.users(
                    workspaceID: principal.workspace.id, limit: 200, after: nil
                ).items.map { ($0.id, $0.name) }
            } else if let target = ObjectCatalog.named(table) {
                choices[table] = try await RecordRepository(store: services.store, schema: target).choices(
                    workspaceID: principal.workspace.id)
            }
        }
        var fields: [[String: Any]] = []
        for field in schema.fields where field.writable {
            let current = submitted?[field.name] ?? formValue(record[field.name], kind: field.kind)
            var item: [String: Any] = [
                "name": field.name, "label": label(field.name, messages), "value": current,
                "error": errorMap[field.name] ?? "",
            ]
            switch field.kind {
            case .choice(let choices):
                item["select"] = true
                item["options"] = ([""] + choices).map {
                    [
                        "value": $0,
                        "label": $0.isEmpty ? "—" : (messages["stage_\($0)"] ?? messages["consent_\($0)"] ?? $0),
                        "selected": $0 == current,
                    ]
                        as [String: Any]
                }
            case .reference(let table):
                item["select"] = true
                item["options"] = ([("", "—")] + (choices[table] ?? [])).map {
                    ["value": $0.0, "label": $0.1, "selected": $0.0 == current] as [String: Any]
                }
            case .phones, .stringMap, .emailList:
                item["textarea"] = true
                item["ltr"] = true
            case .email:
                item["type"] = "email"
                item["ltr"] = true
            case .domain:
                item["type"] = "text"
                item["ltr"] = true
            case .date: item["type"] = "date"
            case .count, .money: item["type"] = "number"
            case .boolean:
                item["select"] = true
                item["options"] = ["true", "false"].map {
                    ["value": $0, "label": messages["bool_\($0)"] ?? $0, "selected": $0 == current] as [String: Any]
                }
            case .currency:
                item["type"] = "text"
                item["ltr"] = true
            default: item["type"] = "text"
            }
            if [.country, .timeZone, .languageTag].contains(field.kind) { item["ltr"] = true }
            if let hint = messages["hint_\(field.name)"] { item["hint"] = hint }
            fields.append(item)
        }
        for definition in definitions {
            let name = "custom.\(definition.key)"
            let stored = record.custom[definition.key]
            let shown: String? =
                switch stored {
                case .bool(let flag)?: flag ? "true" : "false"
                case let value?: formValue(value, kind: .tags)
                case nil: nil
                }
            let current = submitted?[name] ?? shown ?? ""
            var item: [String: Any] = [
                "name": name, "label": definition.label, "value": current, "error": errorMap[name] ?? "",
            ]
            switch definition.type {
            case .select, .boolean:
                let choices = definition.type == CustomFieldType.boolean ? ["true", "false"] : definition.options
                item["select"] = true
                item["options"] = ([""] + choices).map {
                    [
                        "value": $0, "label": $0.isEmpty ? "—" : (messages["bool_\($0)"] ?? $0),
                        "selected": $0 == current,
                    ] as [String: Any]
                }
            case .number: item["type"] = "number"
            case .date: item["type"] = "date"
            case .multi_select:
                item["type"] = "text"
                item["hint"] = definition.options.joined(separator: ", ")
            case .text: item["type"] = "text"
            }
            fields.append(item)
        }
        let existing = errorMap["existing"]
        return pages.render(
            "records/form",
            [
                "is_new": isNew, "fields": fields, "action": isNew ? base : WebPath.record(object, record.id),
                "version": record.version,
                "cancel": isNew ? base : WebPath.record(object, record.id), "form_error": errorMap["form"] ?? "",
                "existing": existing ?? "", "has_errors": !errors.isEmpty,
            ],
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: isNew ? "new_\(schema.recordType)" : "edit")
    }

    /// A stored value as a form field shows it.
    func formValue(_ value: JSONValue, kind: FieldKind) -> String {
        switch (kind, value) {
        case (_, .null): return ""
        case (.boolean, .bool(let flag)): return flag ? "true" : "false"
        case (.phones, .array(let items)):
            return items.compactMap { item -> String? in
                guard case .object(let phone) = item, case .string(let number)? = phone["number"] else { return nil }
                let type = phone["type"].map(Self.display) ?? "other"
                return "\(type): \(number)"
            }.joined(separator: "\n")
        case (.stringMap, .object(let members)):
            return members.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.display($0.value))" }.joined(
                separator: "\n")
        case (.emailList, .array(let items)):
            return items.map(Self.display).joined(separator: "\n")
        default:
            return Self.display(value)
        }
    }

    /// A JSON merge patch from a submitted form: every field the form shows.
    func patch(from form: [String: String], definitions: [CustomFieldDefinition]) -> [String: JSONValue] {
        var patch: [String: JSONValue] = [:]
        func lines(_ text: String) -> [String] {
            text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        for field in schema.fields where field.writable {
            guard let text = form[field.name] else { continue }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch field.kind {
            case .tags:
                patch[field.name] = .array(
                    trimmed.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }
                        .filter { $0 != .string("") })
            case .emailList:
                patch[field.name] = .array(
                    lines(trimmed.replacingOccurrences(of: ",", with: "\n")).map(JSONValue.string))
            case .phones:
                patch[field.name] = .array(
                    lines(trimmed).map { line in
                        let parts = line.split(separator: ":", maxSplits: 1).map {
                            $0.trimmingCharacters(in: .whitespaces)
                        }
                        if parts.count == 2, Phone.types.contains(parts[0]) {
                            return .object(["type": .string(parts[0]), "number": .string(parts[1])])
                        }
                        return .object(["type": .string("other"), "number": .string(line)])
                    })
            case .stringMap:
                var map: [String: JSONValue] = [:]
                for line in lines(trimmed) {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 { map[parts[0]] = .string(parts[1]) }
                }
                patch[field.name] = .object(map)
            case .count, .money:
                patch[field.name] =
                    trimmed.isEmpty ? .null : (Double(trimmed).map(JSONValue.number) ?? .string(trimmed))
            case .boolean:
                patch[field.name] = trimmed == "true" ? .bool(true) : trimmed == "false" ? .bool(false) : .null
            default:
                patch[field.name] = trimmed.isEmpty ? .null : .string(trimmed)
            }
        }
        var custom: [String: JSONValue] = [:]
        for definition in definitions {
            guard let text = form["custom.\(definition.key)"]?.trimmingCharacters(in: .whitespacesAndNewlines) else {
                continue
            }
            if text.isEmpty { custom[definition.key] = .null; continue }
            switch definition.type {
            case .number: custom[definition.key] = Double(text).map(JSONValue.number) ?? .string(text)
            case .boolean:
                custom[definition.key] = text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
            case .multi_select:
                custom[definition.key] = .array(
                    text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            default: custom[definition.key] = .string(text)
            }
        }
        if !custom.isEmpty { patch["custom"] = .object(custom) }
        return patch
    }

    // MARK: Merge and delete

    @Sendable func mergeForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        let otherText = (request.uri.queryParameters["other"].map(String.init) ?? "").trimmingCharacters(
            in: .whitespaces)
        return try await mergePage(record, otherText: otherText, error: nil, request: request, context: context)
    }

    func mergePage(_ record: Record, otherText: String, error: String?, request: Request, context: AppContext)
        async throws -> Response
    {
        let principal = try context.requirePrincipal()
        let messages = messages(context)
        var other: Record?
        var error = error
        if !otherText.isEmpty {
            other = try await findOther(otherText, workspaceID: principal.workspace.id)
            if other == nil { error = messages["merge_not_found"] ?? "No such record." }
            if other?.id == record.id { other = nil; error = messages["merge_itself"] ?? "Choose another record." }
        }
        var rows: [[String: Any]] = []
        if let other {
            for field in schema.fields where field.writable {
                let mine = displayValue(field.name, record[field.name], messages)
                let theirs = displayValue(field.name, other[field.name], messages)
                if mine.isEmpty && theirs.isEmpty { continue }
                let united = [.tags, .emailList, .phones].contains(field.kind)
                rows.append([
                    "field": field.name, "label": label(field.name, messages), "this": mine, "other": theirs,
                    "choice": !united && mine != theirs && !mine.isEmpty && !theirs.isEmpty, "united": united,
                ])
            }
        }
        return pages.render(
            "records/merge",
            [
                "record_title": title(of: record), "path": WebPath.record(object, record.id), "other_text": otherText,
                "other_record": other.map { ["id": $0.id, "other_title": title(of: $0)] } as Any, "rows": rows,
                "error": error ?? "",
            ],
            request: request, context: context, status: error == nil ? .ok : .unprocessableContent, title: "merge")
    }

    /// Another record by id, or by one of its unique keys (an address, a domain).
    func findOther(_ text: String, workspaceID: String) async throws -> Record? {
        if RecordID.isWellFormed(text) {
            return try await service.repository.find(workspaceID: workspaceID, id: text.lowercased())
        }
        let id: String?
        if schema.hasUniqueEmails {
            id = try await service.repository.emailOwner(workspaceID: workspaceID, emails: [Email.normalize(text)])
        } else if let unique = schema.uniqueFields.first {
            id = try await service.repository.id(
                whereUnique: unique.field, is: text.lowercased(), workspaceID: workspaceID, on: nil)
        } else {
            id = nil
        }
        guard let id else { return nil }
        return try await service.repository.find(workspaceID: workspaceID, id: id)
    }

    @Sendable func merge(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let record = try await service.get(workspaceID: principal.workspace.id, id: id)
        guard let otherID = form["other_id"], RecordID.isWellFormed(otherID) else {
            return try await mergePage(
                record, otherText: "", error: "Choose the record to merge.", request: request, context: context)
        }
        var prefer: [String: String] = [:]
        for (name, value) in form where name.hasPrefix("prefer.") && (value == "this" || value == "other") {
            prefer[String(name.dropFirst("prefer.".count))] = value
        }
        _ = try await service.merge(
            workspaceID: principal.workspace.id, id: id, otherID: otherID, prefer: prefer, actor: Self.actor(principal))
        return Pages.redirect(WebPath.record(object, id))
    }

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        return pages.render(
            "records/delete", ["title": title(of: record), "path": WebPath.record(object, record.id)], request: request,
            context: context, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await service.delete(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"), expectedVersion: nil,
            actor: Self.actor(principal))
        return Pages.redirect(base)
    }
}

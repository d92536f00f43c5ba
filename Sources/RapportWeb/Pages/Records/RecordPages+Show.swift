import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// A record's page, its timeline and the composer that logs an activity.
extension RecordPages {
    /// The record's page; a merged-away record's address leads to the record it was merged into.
    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        do {
            let record = try await service.get(principal.viewer, id: id)
            return try await showPage(record, request: request, context: context)
        } catch let error as RapportError where error.code == .notFound && RecordID.isWellFormed(id) {
            guard
                let kept = try await TimelineService(services).mergedInto(
                    workspaceID: principal.workspace.id, recordID: id.lowercased()),
                try await service.find(key: kept, viewer: principal.viewer) != nil
            else { throw error }
            return pages.redirect(WebPath.record(object, kept), flash: Flash("merged_away"))
        }
    }

    /// How a field is edited in place, for the kinds that fit one input; nil for the others (the full
    /// form edits those).
    func inlineEditor(_ field: FieldSpec, record: Record, messages: [String: String]) -> RecordCell.Inline? {
        guard field.writable else { return nil }
        let value = formValue(record[field.name], kind: field.kind)
        switch field.kind {
        case .text, .domain, .currency, .timeZone, .languageTag:
            return .init(field: field.name, value: value, type: "text")
        case .email: return .init(field: field.name, value: value, type: "email")
        case .date: return .init(field: field.name, value: value, type: "date")
        case .count, .money: return .init(field: field.name, value: value, type: "number")
        case .choice(let choices):
            return .init(
                field: field.name, value: value, type: "select",
                options: ([""] + choices).map {
                    "\($0)|\($0.isEmpty ? "—" : displayValue(field.name, .string($0), messages))"
                }
                .joined(separator: "\n"))
        case .boolean:
            return .init(
                field: field.name, value: value, type: "select",
                options: [
                    "|—", "true|\(messages["bool_true"] ?? "true")", "false|\(messages["bool_false"] ?? "false")",
                ]
                .joined(separator: "\n"))
        default: return nil
        }
    }

    /// Saves one field edited in place; answers the value as the page shows it, or the field's error.
    @Sendable func saveInline(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        guard let name = form["field"], let field = schema.field(name),
            inlineEditor(
                field, record: Record.empty(schema, workspaceID: principal.workspace.id, now: 0), messages: [:]) != nil
        else { throw RapportError.invalid([FieldIssue("field", "This field is edited with the full form.")]) }
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        let messages = messages(context)
        do {
            let record = try await service.update(
                principal.viewer, id: id,
                patch: patch(from: [name: form["value"] ?? ""], definitions: definitions),
                expectedVersion: form["version"].flatMap { Int64($0) }, actor: Self.actor(principal))
            let shown = cell(
                name, of: record, titles: [:], messages: messages,
                dates: Dates(viewer: principal.user, messages: messages))
            return try JSONCoding.response(
                InlineAnswer(
                    text: shown.value, value: formValue(record[name], kind: field.kind), version: record.version,
                    error: nil))
        } catch let error as RapportError where [.invalid, .conflict, .stale, .forbidden].contains(error.code) {
            return try JSONCoding.response(
                InlineAnswer(
                    text: nil, value: nil, version: nil,
                    error: (error.fields.first { $0.field == name } ?? error.fields.first).map {
                        Pages.translate($0, messages)
                    }
                        ?? error.detail),
                status: .unprocessableContent)
        }
    }

    /// The timeline's filters by kind of entry, by name, with the event types each shows.
    static let timelineTabs: [(name: String, types: [String])] = [
        ("all", []), ("notes", ["note"]), ("calls", ["call"]), ("meetings", ["meeting"]), ("emails", ["email"]),
        ("changes", ["created", "updated", "lifecycle_changed", "merged"]), ("imports", ["imported"]),
        ("purchases", ["purchase"]),
    ]
    static let timelinePage = 50

    func showPage(
        _ record: Record, composerErrors: [FieldIssue] = [], taskSubmitted: [String: String]? = nil,
        taskErrors: [FieldIssue] = [], request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let workspaceID = principal.workspace.id
        let messages = messages(context)
        let dates = Dates(viewer: principal.user, messages: messages)
        let definitions = try await service.customFields(workspaceID: workspaceID)
        let references = schema.fields.filter {
            if case .reference = $0.kind { true } else { $0.kind.listedReferences(in: .array([])) != nil }
        }.map(\.name)
        let titles = try await service.referenceTitles([record], fields: references, viewer: principal.viewer)
        var details: [RecordCell] = []
        var links: [RecordView.Link] = []
        let rules = principal.viewer.rules(schema)
        let hidden = principal.viewer.hiddenFields(schema)
        // Who owns the record and which team it is given to show even when nobody does.
        let always: Set<String> = schema.isOwned ? [schema.ownerField, "team_id"] : []
        for field in schema.fields where !hidden.contains(field.name) {
            let empty = record[field.name] == .null || record[field.name] == field.kind.emptyValue
            if empty {
                guard always.contains(field.name) else { continue }
                details.append(
                    RecordCell(value: messages["no_\(field.name)"] ?? "—", label: label(field.name, messages)))
                continue
            }
            if case .reference(let table) = field.kind, ObjectCatalog.named(table) != nil,
                let id = record.string(field.name)
            {
                links.append(
                    .init(
                        label: label(field.name, messages), name: titles[field.name]?[id] ?? id,
                        path: WebPath.record(table, id)))
                continue
            }
            var item = cell(field.name, of: record, titles: titles, messages: messages, dates: dates)
            item.label = label(field.name, messages)
            // A field the role keeps read-only (or a role that edits nothing) reads as text only.
            if rules.allows(.edit), rules.fields[field.name] == nil {
                item.inline = inlineEditor(field, record: record, messages: messages)
            }
            details.append(item)
        }
        for definition in definitions {
            guard let value = record.custom[definition.key] else { continue }
            details.append(RecordCell(value: Self.display(value), label: definition.label))
        }
        let tab = request.uri.queryParameters["timeline"].map(String.init) ?? "all"
        let older = request.uri.queryParameters["older"].flatMap { PageKey(cursor: String($0)) }
        let path = WebPath.record(object, record.id)
        var events: [RecordView.Event] = []
        var olderPath: String?
        if schema.timeline != nil {
            let types = Self.timelineTabs.first { $0.name == tab }?.types ?? []
            let page = try await TimelineService(services).page(
                principal.viewer, of: schema, id: record.id, types: types, limit: Self.timelinePage,
                after: older)
            events = try await timelineItems(
                page.items, viewer: principal.viewer, definitions: definitions, messages: messages, dates: dates)
            olderPath = page.next.map { "\(path)?timeline=\(tab)&older=\($0.cursor)" }
        }
        // (tasks have a panel of their own: the open ones and a form that adds one)
        let related = try await service.related(principal.viewer, id: record.id).filter {
            $0.type.name != ObjectType.tasks.name
        }.map { type, field, records in
            if type.field(field)?.kind == .lineItems {
                return lineTable(type, field: field, records: records, id: record.id, messages: messages, dates: dates)
            }
            let rows = records.map { other in
                RecordView.Related.Row(
                    title: type.title(of: other), path: WebPath.record(type.name, other.id),
                    subtitle: type.subtitle.flatMap { other.string($0) }.nonEmpty)
            }
            return RecordView.Related(
                heading: messages["related_\(type.name)"] ?? messages[type.name] ?? type.name,
                empty: messages["no_related_\(type.name)"] ?? messages["nothing_found"] ?? "",
                rows: rows, hasRows: !rows.isEmpty)
        }
        let history =
            Access(principal).allows(.readAudit)
            ? try await auditRows(
                record, principal: principal, definitions: definitions, messages: messages, dates: dates) : nil
        let followState = try await FollowService(services, schema: schema).state(principal, recordID: record.id)
        let duplicates = try await DuplicatePages(services: services, pages: pages, schema: schema).panel(
            principal, record: record, messages: messages)
        let purchases = try await purchasesPanel(record, viewer: principal.viewer, messages: messages, dates: dates)
        var view = RecordView(
            details: details, links: links, related: related, hasTimeline: schema.timeline != nil,
            tabs: Self.timelineTabs.map {
                .init(
                    label: messages["timeline_\($0.name)"] ?? $0.name, path: "\(path)?timeline=\($0.name)",
                    current: $0.name == tab)
            },
            events: events, hasEvents: !events.isEmpty, older: olderPath, path: path, version: record.version,
            activityTypes: TimelineEvent.activityTypes.map { Option(value: $0, label: messages["event_\($0)"] ?? $0) },
            composerErrors: Pages.errorMap(composerErrors, messages), base: base, history: history,
            hasHistory: !(history?.isEmpty ?? true),
            follow: .init(
                following: followState.following, path: WebPath.record(object, record.id, "follow"),
                followers: followState.followers == 0
                    ? nil
                    : (messages["followers"] ?? "{count}").replacingOccurrences(
                        of: "{count}", with: Numbers.format(followState.followers, dates.language))),
            duplicates: duplicates ?? [], hasDuplicates: !(duplicates?.isEmpty ?? true),
            duplicatesPath: duplicates == nil ? nil : WebPath.duplicates(object),
            mentionSource: schema.fields.first { $0.kind == .reference("users") }.map {
                WebPath.pick(object, field: $0.name)
            }, canEdit: rules.allows(.edit), canMerge: rules.allows(.merge), canDelete: rules.allows(.delete),
            tasks: try await taskPanel(
                record, principal: principal, messages: messages, submitted: taskSubmitted, errors: taskErrors))
        view.purchases = purchases
        if schema.name == ObjectType.contacts.name {
            view.consent = try await ConsentPages(services: services, pages: pages).panel(
                record, principal: principal, canEdit: rules.allows(.edit), messages: messages, dates: dates)
            view.emails = try await FrequencyPages(services: services, pages: pages).emailsPanel(
                contactID: record.id, principal: principal, messages: messages, dates: dates)
        }
        return pages.render(
            view, request: request, context: context,
            status: composerErrors.isEmpty && taskErrors.isEmpty ? .ok : .unprocessableContent,
            title: title(of: record))
    }

    /// The records that name this one in their lines (a product's deals and orders, those the viewer sees),
    /// as a table: each with its date, how many of this product its lines hold and what they come to.
    func lineTable(
        _ type: ObjectType, field: String, records: [Record], id: String, messages: [String: String], dates: Dates
    ) -> RecordView.Related {
        let date = type.fields.first { $0.kind == .date || $0.kind == .dateTime }
        let noun = type.recordType
        let rows = records.map { other in
            let lines = LineItem.lines(of: other[field]).filter { $0.productID == id }
            let currency = other.string("currency")
            var when = ""
            if let date, case .string(let text) = other[date.name] {
                if date.kind == .date {
                    when = dates.calendarDay(text) ?? text
                } else if let moment = Timestamp.parse(text) {
                    when = dates.short(Timestamp.micros(moment))
                }
            }
            return RecordView.Related.LineRow(
                title: type.title(of: other), path: WebPath.record(type.name, other.id),
                date: when.isEmpty ? "—" : when,
                quantity: Numbers.format(Int(lines.reduce(0) { $0 + $1.quantity }), dates.language),
                amount: Numbers.money(minorUnits: lines.reduce(0) { $0 + $1.total }, code: currency, dates.language))
        }
        var related = RecordView.Related(
            heading: messages["\(schema.recordType)_\(type.name)"] ?? messages[type.name] ?? type.name,
            empty: messages["no_\(schema.recordType)_\(type.name)"] ?? messages["nothing_found"] ?? "",
            rows: [], hasRows: !rows.isEmpty)
        related.lines = .init(
            recordLabel: messages["col_\(noun)"] ?? noun,
            dateLabel: date.flatMap { messages["col_\($0.name == "ordered_at" ? "ordered_at" : "close_date")"] }
                ?? label(date?.name ?? "", messages),
            rows: rows)
        return related
    }

    /// The purchases panel of a contact or company, for a viewer whose role reads orders; nil elsewhere.
    func purchasesPanel(_ record: Record, viewer: Viewer, messages: [String: String], dates: Dates) async throws
        -> RecordView.Purchases?
    {
        guard [ObjectType.contacts.name, ObjectType.companies.name].contains(schema.name),
            viewer.scopeIfAllowed(.read, on: .orders) != nil
        else { return nil }
        let summary = try await PurchaseService(services).summary(viewer, of: schema, id: record.id)
        func count(_ key: String, _ value: Int) -> String {
            (messages[key] ?? "{count}").replacingOccurrences(
                of: "{count}", with: Numbers.format(value, dates.language))
        }
        return RecordView.Purchases(
            hasOrders: summary.orderCount > 0,
            last: summary.lastOrderedAt.map {
                .init(relative: dates.relative($0), exact: dates.exact($0), datetime: Timestamp.rfc3339($0))
            },
            orderCount: Numbers.format(summary.orderCount, dates.language),
            spent: summary.spent.map { Numbers.money(minorUnits: $0.total, code: $0.currency, dates.language) },
            products: summary.products.map {
                .init(
                    name: $0.name ?? (messages["purchases_deleted_product"] ?? "—"),
                    path: WebPath.record(ObjectType.products.name, $0.productID),
                    orders: count("purchases_product_orders", $0.orders))
            })
    }

    /// A change of consent as its timeline entry says it: "Granted · Form · ticked the box".
    static func consentBody(_ event: TimelineEvent, messages: [String: String]) -> String? {
        guard event.type == "consent_changed", case .string(let state)? = event.data["state"] else { return nil }
        var parts = [messages["consent_\(state)"] ?? state]
        if case .string(let source)? = event.data["source"] {
            parts.append(messages["consent_source_\(source)"] ?? source)
        }
        if case .string(let note)? = event.data["note"], !note.isEmpty { parts.append(note) }
        return parts.joined(separator: " · ")
    }

    /// A purchase as its timeline entry says it: the total and what was bought ("2 × Kaffe, 1 × Te").
    static func purchaseBody(_ event: TimelineEvent, language: Language) -> String? {
        guard event.type == "purchase" else { return nil }
        var parts: [String] = []
        if case .number(let total)? = event.data["total"] {
            var code: String?
            if case .string(let currency)? = event.data["currency"] { code = currency }
            parts.append(Numbers.money(minorUnits: Int64(total), code: code, language))
        }
        if case .array(let products)? = event.data["products"] {
            let items = products.compactMap { item -> String? in
                guard case .object(let line) = item else { return nil }
                var name = "—"
                if case .string(let text)? = line["name"], !text.isEmpty { name = text }
                if case .number(let quantity)? = line["quantity"] {
                    return "\(Numbers.format(Int(quantity), language)) × \(name)"
                }
                return name
            }
            if !items.isEmpty { parts.append(items.joined(separator: ", ")) }
        }
        if case .string(let reference)? = event.data["reference"] { parts.insert(reference, at: 0) }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// Timeline entries as the page shows them: who did it and when, values as a person reads them; an
    /// entry of a record that points here (a contact's, on its company's page) links to that record.
    func timelineItems(
        _ items: [TimelineEvent], viewer: Viewer, definitions: [CustomFieldDefinition],
        messages: [String: String], dates: Dates
    ) async throws -> [RecordView.Event] {
        var others: [(type: ObjectType, column: String, titles: [String: String])] = []
        for (type, _) in ObjectCatalog.referrers(of: schema.name) {
            guard let column = type.timeline?.column, column != schema.timeline?.column else { continue }
            let ids = items.compactMap { $0.recordID(column: column) }
            let titles = try await RecordService(services, schema: type).titles(viewer, ids: ids)
            others.append((type, column, titles))
        }
        let changes = items.flatMap { Self.changes(of: $0) }
        let names = try await valueNames(changes, viewer: viewer)
        let actors = try await AccountService(services).names(
            workspaceID: viewer.workspaceID, ids: items.compactMap(\.actor.id))
        return items.map { event in
            let lines = Self.changes(of: event).map {
                changeLine(
                    $0, definitions: definitions, names: names, messages: messages,
                    rightToLeft: dates.language.isRightToLeft)
            }
            var person: String?
            var personPath: String?
            for other in others {
                if let id = event.recordID(column: other.column) {
                    person = other.titles[id] ?? ""
                    personPath = WebPath.record(other.type.name, id)
                }
            }
            var minutes: String?
            if case .number(let value)? = event.data["duration_minutes"] {
                minutes = Numbers.format(Int(value), dates.language)
            }
            return RecordView.Event(
                type: messages["event_\(event.type)"] ?? event.type, kind: event.type,
                when: .init(
                    relative: dates.relative(event.occurredAt), exact: dates.exact(event.occurredAt),
                    datetime: Timestamp.rfc3339(event.occurredAt)),
                actor: actorName(event.actor, names: actors, messages: messages),
                body: event.data["body"].map(Self.display).nonEmpty
                    ?? Self.purchaseBody(event, language: dates.language)
                    ?? Self.consentBody(event, messages: messages), minutes: minutes, changes: lines,
                hasChanges: !lines.isEmpty, person: person.nonEmpty, personPath: personPath)
        }
    }

    /// What an event changed: the fields of an update, a lifecycle stage's move.
    static func changes(of event: TimelineEvent) -> [FieldChange] {
        if event.type == "lifecycle_changed" {
            return [
                FieldChange(field: "lifecycle_stage", old: event.data["from"] ?? .null, new: event.data["to"] ?? .null)
            ]
        }
        guard case .array(let items)? = event.data["changes"] else { return [] }
        return items.compactMap { change in
            guard case .object(let members) = change, case .string(let field)? = members["field"] else { return nil }
            return FieldChange(field: field, old: members["old"] ?? .null, new: members["new"] ?? .null)
        }
    }

    /// "Lifecycle stage: Lead → Customer", with labels and values as the page shows them. Right to left
    /// the arrow points left, and each value is isolated (FSI…PDI) so that a Latin address or a number
    /// keeps its own order instead of trading places with the arrow.
    func changeLine(
        _ change: FieldChange, definitions: [CustomFieldDefinition], names: [String: String],
        messages: [String: String], rightToLeft: Bool = false
    ) -> String {
        func text(_ value: JSONValue) -> String {
            if case .string(let id) = value, let name = names[id] { return name }
            let shown = displayValue(change.field, value, messages)
            return shown.isEmpty ? "—" : shown
        }
        let label = columnLabel(change.field, definitions: definitions, messages: messages)
        guard rightToLeft else { return "\(label): \(text(change.old)) → \(text(change.new))" }
        return "\(label): \u{2068}\(text(change.old))\u{2069} ← \u{2068}\(text(change.new))\u{2069}"
    }

    /// Names of the records and users that changed reference fields pointed to, by id.
    func valueNames(_ changes: [FieldChange], viewer: Viewer) async throws -> [String: String] {
        let workspaceID = viewer.workspaceID
        var ids: [String: Set<String>] = [:]
        for change in changes {
            guard case .reference(let table)? = schema.field(change.field)?.kind else { continue }
            for case .string(let id) in [change.old, change.new] { ids[table, default: []].insert(id) }
        }
        var names: [String: String] = [:]
        for (table, set) in ids {
            var found: [String: String] = [:]
            if table == "users" {
                found = try await AccountService(services).names(workspaceID: workspaceID, ids: Array(set))
            } else if table == "pipelines" || table == "stages" {
                found = try await PipelineService(services).names(viewer, ids: Array(set))
            } else if let target = ObjectCatalog.named(table) {
                found = try await RecordService(services, schema: target).titles(viewer, ids: Array(set))
            }
            names.merge(found) { first, _ in first }
        }
        return names
    }

    /// Who did something, as the timeline says it.
    func actorName(_ actor: Actor, names: [String: String], messages: [String: String]) -> String? {
        let name = actor.id.flatMap { names[$0] }
        switch actor.type {
        case .user: return name
        case .api: return (messages["actor_api"] ?? "{name} (API)").replacingOccurrences(of: "{name}", with: name ?? "")
        case .import: return messages["actor_import"] ?? "Import"
        case .system: return messages["actor_system"] ?? "Rapport"
        }
    }

    /// The record's audit history, newest first.
    func auditRows(
        _ record: Record, principal: Principal, definitions: [CustomFieldDefinition], messages: [String: String],
        dates: Dates
    ) async throws -> [RecordView.AuditRow] {
        let entries = try await TimelineService(services).audit(principal, recordID: record.id, limit: 20, after: nil)
        let actors = try await AccountService(services).names(
            workspaceID: principal.workspace.id, ids: entries.items.compactMap(\.actor.id))
        let names = try await valueNames(entries.items.flatMap(\.changes), viewer: principal.viewer)
        return entries.items.map { entry in
            RecordView.AuditRow(
                actor: actorName(entry.actor, names: actors, messages: messages) ?? "—",
                action: messages["audit_\(entry.action)"] ?? entry.action,
                when: .init(
                    relative: dates.relative(entry.at), exact: dates.exact(entry.at),
                    datetime: Timestamp.rfc3339(entry.at)),
                changes: entry.changes.map {
                    changeLine(
                        $0, definitions: definitions, names: names, messages: messages,
                        rightToLeft: dates.language.isRightToLeft)
                })
        }
    }

    @Sendable func addActivity(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let record = try await service.get(principal.viewer, id: id)
        let minutes = form["duration_minutes"].flatMap { $0.isEmpty ? nil : Double($0) ?? -1 }
        // A browser's local date and time (`2026-12-05T09:30`), in the viewer's time zone.
        let dates = Dates(viewer: principal.user, messages: [:])
        let occurredAt = form["occurred_at"].flatMap { $0.isEmpty ? nil : dates.moment(local: $0) ?? $0 }
        do {
            _ = try await service.addActivity(
                principal.viewer, id: id,
                draft: ActivityDraft(
                    type: form["type"], body: form["body"], occurredAt: occurredAt, durationMinutes: minutes),
                actor: Self.actor(principal))
        } catch let error as RapportError where error.code == .invalid {
            return try await showPage(record, composerErrors: error.fields, request: request, context: context)
        }
        return pages.redirect(WebPath.record(object, id), flash: Flash("activity_logged"))
    }

    /// Starts (`following=true`) or stops following the record, back on its page with a message.
    @Sendable func follow(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let following = try await Form.read(&request)["following"] == "true"
        try await FollowService(services, schema: schema).set(following: following, principal, recordID: id)
        return pages.redirect(WebPath.record(object, id), flash: Flash(following ? "followed" : "unfollowed"))
    }
}

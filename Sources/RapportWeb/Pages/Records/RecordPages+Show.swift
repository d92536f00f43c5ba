import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// A record's page, its timeline and the composer that logs an activity.
extension RecordPages {
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
        let titles = try await service.referenceTitles([record], fields: references, workspaceID: workspaceID)
        var details: [RecordCell] = []
        var links: [RecordView.Link] = []
        for field in schema.fields where record[field.name] != .null && record[field.name] != field.kind.emptyValue {
            if case .reference(let table) = field.kind, ObjectCatalog.named(table) != nil,
                let id = record.string(field.name)
            {
                links.append(
                    .init(
                        label: label(field.name, messages), name: titles[field.name]?[id] ?? id,
                        path: WebPath.record(table, id)))
                continue
            }
            var item = cell(field.name, of: record, titles: titles, messages: messages)
            item.label = label(field.name, messages)
            details.append(item)
        }
        for definition in definitions {
            guard let value = record.custom[definition.key] else { continue }
            details.append(RecordCell(value: Self.display(value), label: definition.label))
        }
        let events =
            schema.timeline == nil ? [] : try await timelineItems(record, workspaceID: workspaceID, messages: messages)
        let related = try await service.related(workspaceID: workspaceID, id: record.id).map { type, records in
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
        let view = RecordView(
            details: details, links: links, related: related, hasTimeline: schema.timeline != nil, events: events,
            hasEvents: !events.isEmpty, path: WebPath.record(object, record.id),
            activityTypes: TimelineEvent.activityTypes.map { Option(value: $0, label: messages["event_\($0)"] ?? $0) },
            composerErrors: Pages.errorMap(composerErrors), base: base)
        return pages.render(
            view, request: request, context: context, status: composerErrors.isEmpty ? .ok : .unprocessableContent,
            title: title(of: record))
    }

    /// The newest entries of a record's timeline as the page shows them; an entry of a record that points
    /// here (a contact's, on its company's page) links to that record.
    func timelineItems(_ record: Record, workspaceID: String, messages: [String: String]) async throws
        -> [RecordView.Event]
    {
        let timeline = try await TimelineService(services).page(
            workspaceID: workspaceID, of: schema, id: record.id, limit: 100, after: nil)
        var others: [(type: ObjectType, column: String, titles: [String: String])] = []
        for (type, _) in ObjectCatalog.referrers(of: schema.name) {
            guard let column = type.timeline?.column, column != schema.timeline?.column else { continue }
            let ids = timeline.items.compactMap { $0.recordID(column: column) }
            let titles = try await RecordService(services, schema: type).titles(workspaceID: workspaceID, ids: ids)
            others.append((type, column, titles))
        }
        return timeline.items.map { event in
            var changes: [String] = []
            if case .array(let items)? = event.data["changes"] {
                changes = items.compactMap { change -> String? in
                    guard case .object(let members) = change, case .string(let field)? = members["field"] else {
                        return nil
                    }
                    let old = Self.display(members["old"] ?? .null)
                    let new = Self.display(members["new"] ?? .null)
                    return "\(label(field, messages)): \(old) → \(new)"
                }
            }
            var person: String?
            var personPath: String?
            for other in others {
                if let id = event.recordID(column: other.column) {
                    person = other.titles[id] ?? ""
                    personPath = WebPath.record(other.type.name, id)
                }
            }
            var minutes: Int?
            if case .number(let value)? = event.data["duration_minutes"] { minutes = Int(value) }
            return RecordView.Event(
                type: messages["event_\(event.type)"] ?? event.type, kind: event.type,
                when: Pages.displayTime(event.occurredAt), body: event.data["body"].map(Self.display).nonEmpty,
                minutes: minutes, changes: changes, hasChanges: !changes.isEmpty, person: person.nonEmpty,
                personPath: personPath)
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
}

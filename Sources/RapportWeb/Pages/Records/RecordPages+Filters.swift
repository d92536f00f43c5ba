import Foundation
import RapportCore
import RapportServices

/// The filter panel of a list and the chips of its active filters.
extension RecordPages {
    /// Every filter the panel offers: the object's own, date ranges of its times, and its custom fields,
    /// each with what the list is filtered by now; none by a field the viewer's role hides.
    func filterPanel(
        selected: [(name: String, value: String)], users: [(id: String, name: String)],
        teams: [(id: String, name: String)], definitions: [CustomFieldDefinition], hidden: Set<String>,
        messages: [String: String]
    ) -> [RecordListView.Filter] {
        let value = { (name: String) in selected.last { $0.name == name }?.value }
        var filters: [RecordListView.Filter] = schema.list.filters.compactMap { name in
            guard let field = schema.field(name), !hidden.contains(name) else { return nil }
            let label = label(name, messages)
            switch field.kind {
            case .choice(let choices):
                return .init(
                    name: name, label: label,
                    options: choices.map {
                        Option(value: $0, label: displayValue(name, .string($0), messages), selected: value(name) == $0)
                    })
            case .reference("users"):
                return .init(
                    name: name, label: label,
                    options: users.map { Option(value: $0.id, label: $0.name, selected: value(name) == $0.id) })
            case .reference("teams"):
                return .init(
                    name: name, label: label,
                    options: teams.map { Option(value: $0.id, label: $0.name, selected: value(name) == $0.id) })
            case .tags:
                return .init(
                    name: "\(name)[contains]", label: messages["tag"] ?? "Tag", text: true,
                    value: value("\(name)[contains]"))
            case .country:
                return .init(name: name, label: label, text: true, country: true, value: value(name))
            case .boolean:
                return .init(name: name, label: label, options: booleans(value(name), messages))
            default:
                return .init(name: name, label: label, text: true, value: value(name))
            }
        }
        for name in ["created_at", "updated_at"] {
            filters.append(
                .init(
                    name: name, label: label(name, messages), range: true, from: value("\(name)[gte]"),
                    to: value("\(name)[lte]"), type: "date"))
        }
        for definition in definitions where !hidden.contains("custom.\(definition.key)") {
            let name = "custom.\(definition.key)"
            switch definition.type {
            case .select:
                filters.append(
                    .init(
                        name: name, label: definition.label,
                        options: definition.options.map { Option(value: $0, label: $0, selected: value(name) == $0) }))
            case .boolean:
                filters.append(.init(name: name, label: definition.label, options: booleans(value(name), messages)))
            case .number, .date:
                filters.append(
                    .init(
                        name: name, label: definition.label, range: true, from: value("\(name)[gte]"),
                        to: value("\(name)[lte]"), type: definition.type == .date ? "date" : "number"))
            case .multi_select:
                filters.append(
                    .init(
                        name: "\(name)[contains]", label: definition.label,
                        options: definition.options.map {
                            Option(value: $0, label: $0, selected: value("\(name)[contains]") == $0)
                        }))
            case .text:
                filters.append(
                    .init(
                        name: "\(name)[contains]", label: definition.label, text: true,
                        value: value("\(name)[contains]")))
            }
        }
        return filters
    }

    func booleans(_ selected: String?, _ messages: [String: String]) -> [Option] {
        ["true", "false"].map { Option(value: $0, label: messages["bool_\($0)"] ?? $0, selected: selected == $0) }
    }

    /// A chip for each active filter, with the list's address without it.
    func chips(
        _ filters: [(name: String, value: String)], kept: [(name: String, value: String)],
        users: [(id: String, name: String)], teams: [(id: String, name: String)], definitions: [CustomFieldDefinition],
        messages: [String: String], link: ([(name: String, value: String)]) -> String, segmentName: String? = nil
    ) -> [RecordListView.Chip] {
        filters.compactMap { filter in
            // (the quick filters say which of theirs is on)
            guard filter.name != "q", filter.name != Self.scopeParameter else { return nil }
            var name = filter.name
            var op: String?
            if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
                op = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                name = String(name[..<open])
            }
            var label = columnLabel(name, definitions: definitions, messages: messages)
            if let op, op != "contains" { label += " " + (messages["filter_\(op)"] ?? op) }
            var value = filter.value
            if name == "segment_id" { value = segmentName ?? value }
            switch schema.field(name)?.kind {
            case .reference("users")?: value = users.first { $0.id == filter.value }?.name ?? value
            case .reference("teams")?: value = teams.first { $0.id == filter.value }?.name ?? value
            case .boolean?: value = messages["bool_\(value)"] ?? value
            case .some: value = displayValue(name, .string(value), messages)
            case nil:
                if value == "true" || value == "false" { value = messages["bool_\(value)"] ?? value }
            }
            var rest = kept
            if let at = rest.firstIndex(where: { $0.name == filter.name && $0.value == filter.value }) {
                rest.remove(at: at)
            }
            return .init(label: label, value: value, removePath: link(rest))
        }
    }
}

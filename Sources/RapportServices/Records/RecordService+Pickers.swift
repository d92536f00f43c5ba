import Foundation
package import RapportCore
import RapportStore

/// One record a picker offers: its id, its title, and what tells it apart from others of that name (an
/// address, a domain).
package struct PickerChoice: Sendable, Equatable, Encodable {
    package var id: String
    package var name: String
    package var detail: String?
}

extension RecordService {
    /// How many choices a picker shows as a person types.
    package static let pickerLimit = 10

    /// What a reference field of this object can point to, matching what a person typed: the workspace's
    /// active users, or the records of another object whose search terms start with the words.
    package func pick(field: String, text: String, viewer: Viewer, limit: Int = pickerLimit) async throws
        -> [PickerChoice]
    {
        let table: String
        switch schema.field(field)?.kind {
        case .reference(let target)?, .referenceList(let target)?: table = target
        default: throw RapportError.invalid([FieldIssue("field", "This field does not point to records.")])
        }
        return try await Self.pick(table: table, text: text, viewer: viewer, limit: limit, services: services)
    }

    static func pick(table: String, text: String, viewer: Viewer, limit: Int, services: Services) async throws
        -> [PickerChoice]
    {
        let workspaceID = viewer.workspaceID
        if table == "teams" {
            let words = SearchKey.queryWords(text)
            return try await TeamRepository(store: services.store).all(workspaceID: workspaceID)
                .filter { team in
                    let terms = SearchKey.queryWords(team.name)
                    return words.allSatisfy { word in terms.contains { $0.hasPrefix(word) } }
                }
                .prefix(limit).map { PickerChoice(id: $0.id, name: $0.name, detail: nil) }
        }
        if table == "users" {
            let words = SearchKey.queryWords(text)
            return try await services.accounts.users(workspaceID: workspaceID, limit: 500, after: nil).items
                .filter { user in
                    guard user.deactivatedAt == nil else { return false }
                    let terms = SearchKey.queryWords("\(user.name) \(user.email)")
                    return words.allSatisfy { word in terms.contains { $0.hasPrefix(word) } }
                }
                .sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
                .prefix(limit).map { PickerChoice(id: $0.id, name: $0.name, detail: $0.email) }
        }
        guard let target = ObjectCatalog.named(table), viewer.allows(.read, on: target) else { return [] }
        let words = SearchKey.queryWords(text)
        let records = try await RecordService(services, schema: target).list(
            viewer, query: ListQuery(), limit: limit, after: nil, search: words
        ).records
        let detailField = target.fields.first { [.email, .domain].contains($0.kind) }?.name
        return records.map { record in
            PickerChoice(
                id: record.id, name: target.title(of: record), detail: detailField.flatMap { record.string($0) })
        }
    }

    /// The id a reference field's text names, as a person types it into a picker: nothing, an id, or a
    /// title (matched whole, ignoring case; a user also by their address).
    /// - Throws: `invalid` on the field when nothing or more than one thing has that name.
    package func resolveReference(field: String, text: String, viewer: Viewer) async throws -> String? {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        let table: String
        switch schema.field(field)?.kind {
        case .reference(let target)?, .referenceList(let target)?: table = target
        default: return text
        }
        if RecordID.isWellFormed(text) { return text.lowercased() }
        let wanted = text.lowercased()
        let found = try await Self.pick(
            table: table, text: text, viewer: viewer, limit: 50, services: services
        ).filter { $0.name.lowercased() == wanted || $0.detail?.lowercased() == wanted }
        let noun = ["users": "user", "teams": "team"][table] ?? ObjectCatalog.named(table)?.recordType ?? "record"
        let plural = ["users", "teams"].contains(table) ? table : ObjectCatalog.named(table)?.name ?? "records"
        switch found.count {
        case 1: return found[0].id
        case 0:
            throw RapportError.invalid([
                FieldIssue(field, key: "no_\(noun)_called", "No \(noun) is called “{value}”.", ["value": text])
            ])
        default:
            throw RapportError.invalid([
                FieldIssue(
                    field, key: "several_\(plural)_called",
                    "Several \(plural) are called “{value}”; choose one from the list.",
                    ["value": text])
            ])
        }
    }
}

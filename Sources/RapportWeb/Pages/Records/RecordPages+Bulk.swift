import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Actions on many records at once: the checked ones, or every record the list matches.
extension RecordPages {
    /// The most records one bulk action changes.
    static let bulkLimit = 100_000

    /// Tag, assign or delete the chosen records; deleting asks for a confirmation first. The list comes
    /// back with a message that says what was done.
    @Sendable func bulk(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.readAll(&request)
        let fields = form.last
        let query = fields["query"] ?? ""
        let back = query.isEmpty ? base : "\(base)?\(query)"
        let everyMatch = fields["all"] == "1"
        let ids =
            everyMatch
            ? try await matching(query, viewer: principal.viewer) : form.all("ids").filter(RecordID.isWellFormed)
        let action = fields["action"] ?? ""
        let actor = Self.actor(principal)
        guard !ids.isEmpty else { return pages.redirect(back, flash: Flash("nothing_selected")) }
        switch action {
        case "tag" where schema.field("tags") != nil:
            let tag = (fields["value"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !tag.isEmpty else { return pages.redirect(back, flash: Flash("tag_missing")) }
            var changed = 0
            for id in ids {
                let done = try await Self.unlessRefused {
                    let record = try await service.get(principal.viewer, id: id)
                    let tags = record.strings("tags")
                    guard !tags.contains(tag) else { return false }
                    _ = try await service.update(
                        principal.viewer, id: id, patch: ["tags": .array((tags + [tag]).map(JSONValue.string))],
                        expectedVersion: nil, actor: actor)
                    return true
                }
                if done == true { changed += 1 }
            }
            return pages.redirect(back, flash: Flash("tagged", count: changed, object: object))
        case "owner" where schema.field("owner_id") != nil:
            let owner = fields["owner"].flatMap { $0.isEmpty ? nil : $0 }
            var changed = 0
            for id in ids {
                let done = try await Self.unlessRefused {
                    _ = try await service.update(
                        principal.viewer, id: id, patch: ["owner_id": owner.map(JSONValue.string) ?? .null],
                        expectedVersion: nil, actor: actor)
                    return true
                }
                if done != nil { changed += 1 }
            }
            return pages.redirect(back, flash: Flash("assigned", count: changed, object: object))
        case "delete":
            guard fields["confirm"] == "yes" else {
                let messages = messages(context)
                let view = BulkDeleteView(
                    base: base, ids: everyMatch ? [] : ids, all: everyMatch, query: query,
                    question: (messages["bulk_delete_question"] ?? "{count}").replacingOccurrences(
                        of: "{count}", with: Numbers.format(ids.count, principal.user.language)))
                return pages.render(view, request: request, context: context, title: "confirm_delete")
            }
            var deleted = 0
            for id in ids {
                let done = try await Self.unlessRefused {
                    try await service.delete(principal.viewer, id: id, expectedVersion: nil, actor: actor)
                    return true
                }
                if done != nil { deleted += 1 }
            }
            return pages.redirect(back, flash: Flash("deleted", count: deleted, object: object))
        default:
            throw RapportError(.invalid, "Choose what to do with the selected records.")
        }
    }

    /// `body`, or nil when the user may not change that record (their role keeps it from them, or it is
    /// gone): a bulk action changes what it may and counts only those.
    static func unlessRefused(_ body: () async throws -> Bool) async throws -> Bool? {
        do {
            return try await body()
        } catch let error as RapportError where error.code == .forbidden || error.code == .notFound {
            return nil
        }
    }

    /// The ids of every record a list's query string matches, at most `bulkLimit`.
    /// - Throws: `invalid` when the query cannot be read, or matches more than `bulkLimit`.
    func matching(_ queryString: String, viewer: Viewer) async throws -> [String] {
        let list = try await listRequest(queryString, viewer: viewer).list
        let total = try await service.count(viewer, query: list.query, search: list.search)
        guard total <= Self.bulkLimit else {
            throw RapportError(
                .invalid, "A bulk action changes at most \(Self.bulkLimit) records; narrow the list first.")
        }
        var ids: [String] = []
        var after: RecordCursor?
        repeat {
            let page = try await service.list(
                viewer, query: list.query, limit: 500, after: after, search: list.search)
            ids += page.records.map(\.id)
            after = page.next
        } while after != nil
        return ids
    }
}

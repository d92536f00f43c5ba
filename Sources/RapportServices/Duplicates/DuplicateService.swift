import Foundation
package import RapportCore
import RapportStore

/// Suggested duplicates of an object's records, by the rules of its description (`ObjectType.duplicates`):
/// a record's possible duplicates, the workspace's pairs, and "not a duplicate", which is remembered so
/// the pair is never suggested again. Merging reuses `RecordService.merge`; a record deleted or merged
/// away takes its keys and dismissals with it.
package struct DuplicateService: Sendable {
    let services: Services
    package let schema: ObjectType
    let repository: DuplicateRepository
    let records: RecordRepository

    package init(_ services: Services, schema: ObjectType) {
        self.services = services
        self.schema = schema
        self.repository = DuplicateRepository(store: services.store)
        self.records = RecordRepository(store: services.store, schema: schema)
    }

    /// Why two records may be one: the rule, its message key and English text, and the value shown.
    package struct Reason: Sendable, Equatable {
        package var rule: String
        /// The message catalogue's key; its text has `{value}`.
        package var key: String
        package var value: String
        /// In English, for the API (`Same email: anna@example.com`).
        package var message: String
    }

    /// A record as a suggestion shows it.
    package struct Side: Sendable, Equatable {
        package var id: String
        package var title: String
        package var subtitle: String?
    }

    /// Another record that may be the same as the one asked about.
    package struct Suggestion: Sendable, Equatable {
        package var record: Side
        package var reasons: [Reason]
    }

    /// Two records of the workspace that may be one.
    package struct Pair: Sendable, Equatable {
        package var first: Side
        package var second: Side
        package var reasons: [Reason]
    }

    /// Whether the object has duplicate rules at all.
    package var applies: Bool { !schema.duplicates.isEmpty }

    /// The records that may be duplicates of `id`, in id order after `after`, at most `limit`.
    /// - Throws: `notFound` for a record that is not in the workspace.
    package func suggestions(_ principal: Principal, id: String, limit: Int = 20, after: String? = nil)
        async throws -> (items: [Suggestion], next: String?)
    {
        let reach = try principal.viewer.scope(.read, on: schema)
        let workspaceID = principal.workspace.id
        guard RecordID.isWellFormed(id), try await records.find(reach, ids: [id])[id] != nil else {
            throw RapportError.notFound(schema.the)
        }
        guard applies else { return ([], nil) }
        // One row per shared key: room for a few keys per record, and one more record to know there is more.
        let cap = (limit + 1) * 4 * schema.duplicates.count
        let matches = try await repository.matches(
            workspaceID: workspaceID, object: schema.name, recordID: id.lowercased(), after: after, limit: cap)
        var order: [String] = []
        var byOther: [String: [DuplicateRepository.Match]] = [:]
        for match in matches {
            if byOther[match.otherID] == nil { order.append(match.otherID) }
            byOther[match.otherID, default: []].append(match)
        }
        // When the rows ran out mid-record, that record's reasons may be cut: it starts the next page.
        if matches.count == cap, order.count > 1 { order.removeLast() }
        let more = order.count > limit || matches.count == cap
        order = Array(order.prefix(limit))
        // (suggestions the viewer may not see are left out)
        let found = try await records.find(reach, ids: order)
        let scopes = try await scopeTitles(
            byOther.values.flatMap { $0 }.map { (rule: $0.rule, scope: $0.scope) }, principal.viewer)
        let viewer = principal.viewer
        let hidden = viewer.hiddenFields(schema)
        let items = order.compactMap { other -> Suggestion? in
            guard let record = found[other] else { return nil }
            let reasons = (byOther[other] ?? []).compactMap {
                reason(rule: $0.rule, scope: $0.scope, value: $0.otherValue, scopes: scopes, hidden: hidden)
            }
            return Suggestion(record: side(viewer.redacted(record, schema)), reasons: unique(reasons))
        }
        return (items, more ? order.last : nil)
    }

    /// A page of the workspace's possible duplicates, each pair once with every reason it has.
    package func pairs(_ principal: Principal, limit: Int, after: DuplicatePairCursor?) async throws
        -> (items: [Pair], next: DuplicatePairCursor?)
    {
        let reach = try principal.viewer.scope(.read, on: schema)
        guard applies else { return ([], nil) }
        let workspaceID = principal.workspace.id
        let page = try await repository.pairs(
            workspaceID: workspaceID, object: schema.name, after: after, limit: limit)
        let ids = page.pairs.flatMap { [$0.first, $0.second] }
        // (a pair the viewer may not see both sides of is left out)
        let found = try await records.find(reach, ids: ids)
        let keys = try await repository.keys(workspaceID: workspaceID, object: schema.name, recordIDs: ids)
        var shared: [String: [DuplicateKey]] = [:]
        for pair in page.pairs {
            let theirs = Set((keys[pair.second] ?? []).map { "\($0.rule)\u{0}\($0.scope)\u{0}\($0.key)" })
            shared[pair.first + pair.second] = (keys[pair.first] ?? []).filter {
                theirs.contains("\($0.rule)\u{0}\($0.scope)\u{0}\($0.key)")
            }
        }
        let scopes = try await scopeTitles(
            shared.values.flatMap { $0 }.map { (rule: $0.rule, scope: $0.scope) }, principal.viewer)
        let viewer = principal.viewer
        let hidden = viewer.hiddenFields(schema)
        let items = page.pairs.compactMap { pair -> Pair? in
            guard let first = found[pair.first], let second = found[pair.second] else { return nil }
            var reasons = (shared[pair.first + pair.second] ?? [])
                .sorted { ($0.rule, $0.scope, $0.key) < ($1.rule, $1.scope, $1.key) }
                .compactMap {
                    reason(rule: $0.rule, scope: $0.scope, value: $0.value, scopes: scopes, hidden: hidden)
                }
            if reasons.isEmpty,
                let only = reason(
                    rule: pair.rule, scope: pair.scope, value: pair.firstValue, scopes: scopes, hidden: hidden)
            {
                reasons = [only]
            }
            return Pair(
                first: side(viewer.redacted(first, schema)), second: side(viewer.redacted(second, schema)),
                reasons: unique(reasons))
        }
        return (items, page.next)
    }

    /// Remembers that two records are not duplicates: the pair is not suggested again, on either page.
    /// - Throws: `invalid` for a record paired with itself, `notFound` when either is not in the workspace,
    ///   `forbidden` for a user who may not edit records.
    package func dismiss(_ principal: Principal, id: String, otherID: String) async throws {
        let reach = try principal.viewer.scope(.read, on: schema)
        guard principal.viewer.allows(.edit, on: schema) else { throw Viewer.refusal(.edit, on: schema) }
        let workspaceID = principal.workspace.id
        let one = id.lowercased()
        let other = otherID.lowercased()
        let found = try await records.find(reach, ids: [one, other])
        guard found[one] != nil else { throw RapportError.notFound(schema.the) }
        if one == other {
            throw RapportError.invalid([FieldIssue("other_id", "A record cannot be a duplicate of itself.")])
        }
        guard found[other] != nil else { throw RapportError.notFound(schema.the) }
        try await repository.dismiss(
            workspaceID: workspaceID, object: schema.name, one, other, by: principal.user.id,
            at: Timestamp.micros(Date()))
    }

    // MARK: Helpers

    func side(_ record: Record) -> Side {
        Side(
            id: record.id, title: schema.title(of: record),
            subtitle: schema.subtitle.flatMap { record.string($0) }.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// A reason from a shared key; a rule within a reference shows the referenced record's title. A value
    /// from a field the viewer's role hides reads "—" (the rule still says why).
    func reason(rule name: String, scope: String, value: String, scopes: [String: String], hidden: Set<String> = [])
        -> Reason?
    {
        guard let rule = schema.duplicateRule(name) else { return nil }
        let compared = rule.within.map { [$0] } ?? rule.fields
        let shown = compared.contains(where: hidden.contains) ? "—" : rule.within == nil ? value : scopes[scope] ?? ""
        return Reason(rule: rule.name, key: rule.reasonKey, value: shown, message: rule.reason(shown))
    }

    /// Reasons once each (two addresses that normalise alike are one reason).
    func unique(_ reasons: [Reason]) -> [Reason] {
        reasons.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Titles of the records that rules within a reference point to, by id.
    func scopeTitles(_ keys: [(rule: String, scope: String)], _ viewer: Viewer) async throws -> [String: String] {
        var ids: [String: Set<String>] = [:]
        for key in keys where !key.scope.isEmpty {
            guard let field = schema.duplicateRule(key.rule)?.within,
                case .reference(let table)? = schema.field(field)?.kind
            else { continue }
            ids[table, default: []].insert(key.scope)
        }
        var titles: [String: String] = [:]
        for (table, set) in ids {
            guard let type = ObjectCatalog.named(table), let reach = viewer.scopeIfAllowed(.read, on: type) else {
                continue
            }
            let found = try await RecordRepository(store: services.store, schema: type).names(reach, ids: Array(set))
            titles.merge(found) { first, _ in first }
        }
        return titles
    }
}

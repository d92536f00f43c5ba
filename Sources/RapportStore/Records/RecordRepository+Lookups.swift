import Foundation
package import RapportCore
import RapportDatabase

/// Reads of many keys at once, for an import's batches: each is a few statements of up to 5,000 keys.
extension RecordRepository {
    /// The records whose `field` has one of `values`, by value; where several have it, the oldest.
    package func ids(where field: String, in values: Set<String>, workspaceID: String) async throws -> [String: String]
    {
        guard schema.field(field) != nil, !values.isEmpty else { return [:] }
        let sql: @Sendable (Int) -> String = { count in
            "SELECT \(field), id FROM \(table) WHERE workspace_id = ? AND \(field) IN (\(RowSession.placeholders(count))) ORDER BY created_at DESC, id DESC"
        }
        return try await pairs(sql, values, workspaceID: workspaceID)
    }

    /// Whether any record of the workspace has a value in `field`.
    package func hasAny(_ field: String, workspaceID: String) async throws -> Bool {
        guard schema.field(field) != nil else { return false }
        let rows = try await store.readRows(inline: true) {
            try await $0.rows(
                "SELECT 1 FROM \(table) WHERE workspace_id = ? AND \(field) IS NOT NULL LIMIT 1", [.text(workspaceID)])
        }
        return !rows.isEmpty
    }

    /// The contacts that have these addresses, by address.
    package func emailOwners(workspaceID: String, emails: Set<String>) async throws -> [String: String] {
        guard schema.hasUniqueEmails, !emails.isEmpty else { return [:] }
        let sql: @Sendable (Int) -> String = { count in
            "SELECT email, contact_id FROM contact_emails WHERE workspace_id = ? AND email IN (\(RowSession.placeholders(count)))"
        }
        return try await pairs(sql, emails, workspaceID: workspaceID)
    }

    /// Which of `ids` are records of `table` (an object's, or `users`) in the workspace.
    package func existing(table: String, ids: Set<String>, workspaceID: String) async throws -> Set<String> {
        guard table == "users" || table == "teams" || ObjectCatalog.named(table) != nil else { return [] }
        let sql: @Sendable (Int) -> String = { count in
            "SELECT id, id FROM \(table) WHERE workspace_id = ? AND id IN (\(RowSession.placeholders(count)))"
        }
        return Set(try await pairs(sql, ids.filter(RecordID.isWellFormed), workspaceID: workspaceID).keys)
    }

    /// Which of `ids` are this object's records inside `reach` (an import's matches the user may change).
    package func reachable(_ reach: RecordScope, ids: Set<String>) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        if reach.visibilityCondition(owned: schema.isOwned) == nil { return ids }
        let keys = Array(ids.filter(RecordID.isWellFormed))
        // (a page of lookups by primary key, such as a search result's companies: on the calling thread)
        return try await store.readRows(inline: keys.count <= 200) { session in
            var found = Set<String>()
            for chunk in keys.chunks(of: 5000) {
                let (from, binds) = byIDs(chunk.count, reach)
                let rows = try await session.rows(
                    "\(from.with) SELECT t.id \(from.rest)", chunk.map(DBValue.text) + binds)
                for row in rows { if let id = row[0].text { found.insert(id) } }
            }
            return found
        }
    }

    /// Key → id pairs from a statement of `?` placeholders, a chunk of keys at a time; a later row wins.
    private func pairs(_ sql: @escaping @Sendable (Int) -> String, _ keys: Set<String>, workspaceID: String)
        async throws -> [String: String]
    {
        guard !keys.isEmpty else { return [:] }
        let keys = Array(keys)
        return try await store.readRows { session in
            var found: [String: String] = [:]
            for chunk in keys.chunks(of: 5000) {
                let rows = try await session.rows(sql(chunk.count), [.text(workspaceID)] + chunk.map(DBValue.text))
                for row in rows { if let key = row[0].text, let id = row[1].text { found[key] = id } }
            }
            return found
        }
    }
}

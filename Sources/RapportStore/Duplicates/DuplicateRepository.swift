import Foundation
package import RapportCore
package import RapportDatabase
package import SQLKit

/// Suggested duplicates in storage: each record's normalised keys (`duplicate_keys`, written with the
/// record in the same transaction) and the pairs a user dismissed (`duplicate_dismissals`). Every
/// statement is scoped by workspace and object.
package struct DuplicateRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let keyColumns = ["workspace_id", "object", "rule", "scope", "match_key", "record_id", "value"]

    /// One shared key: the other record, the rule, the scope, and each record's value.
    package struct Match: Sendable, Equatable {
        package var otherID: String
        package var rule: String
        package var scope: String
        package var value: String
        package var otherValue: String
    }

    /// Two records that share a key, `first` < `second`, with the first key (in rule, scope and key
    /// order) they share.
    package struct Pair: Sendable, Equatable {
        package var cursor: DuplicatePairCursor
        package var firstValue: String
        package var secondValue: String
        package var first: String { cursor.first }
        package var second: String { cursor.second }
        package var rule: String { cursor.rule }
        package var scope: String { cursor.scope }
    }

    // MARK: Writing keys

    /// The key rows of records, in `keyColumns` order.
    package static func keyRows(of records: [Record], type: ObjectType) -> [[DBValue]] {
        records.flatMap { record in
            type.duplicateKeys(of: record).map { key in
                [
                    .text(record.workspaceID), .text(type.name), .text(key.rule), .text(key.scope), .text(key.key),
                    .text(record.id), .text(key.value),
                ]
            }
        }
    }

    /// Inserts the keys of new records inside a transaction (no key of theirs is stored yet).
    static func insertKeys(of records: [Record], type: ObjectType, on database: any SQLDatabase) async throws {
        let rows = keyRows(of: records, type: type)
        for chunk in rows.chunks(of: 1000) {
            var sql: SQLQueryString =
                "INSERT INTO duplicate_keys (\(unsafeRaw: keyColumns.joined(separator: ", "))) VALUES "
            for (index, row) in chunk.enumerated() {
                if index > 0 { sql = sql + ", " }
                sql = sql + "(\(binds: row.map { $0.text ?? "" }))"
            }
            try await database.raw(sql).run()
        }
    }

    /// Makes a record's stored keys those of its current values.
    package func replaceKeys(of record: Record, type: ObjectType, on database: any SQLDatabase) async throws {
        try await database.raw(
            "DELETE FROM duplicate_keys WHERE workspace_id = \(bind: record.workspaceID) AND object = \(bind: type.name) AND record_id = \(bind: record.id)"
        ).run()
        try await Self.insertKeys(of: [record], type: type, on: database)
    }

    /// Forgets a record that is deleted or merged away: its keys and every dismissal of a pair with it.
    package func forget(workspaceID: String, object: String, recordID: String, on database: any SQLDatabase)
        async throws
    {
        try await database.raw(
            "DELETE FROM duplicate_keys WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_id = \(bind: recordID)"
        ).run()
        try await database.raw(
            "DELETE FROM duplicate_dismissals WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_a = \(bind: recordID)"
        ).run()
        try await database.raw(
            "DELETE FROM duplicate_dismissals WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_b = \(bind: recordID)"
        ).run()
    }

    /// When the records that pointed to `from` (a company's contacts) now point to `to`, or to nothing,
    /// their keys of a rule within that reference move with them, or go.
    package func moveScope(
        workspaceID: String, object: String, rule: String, from: String, to: String?, on database: any SQLDatabase
    ) async throws {
        let condition: SQLQueryString =
            "workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND rule = \(bind: rule) AND scope = \(bind: from)"
        if let to {
            try await database.raw("UPDATE duplicate_keys SET scope = \(bind: to) WHERE " + condition).run()
        } else {
            try await database.raw("DELETE FROM duplicate_keys WHERE " + condition).run()
        }
    }

    // MARK: Dismissals

    /// Remembers that two records are not duplicates (again: nothing changes).
    package func dismiss(
        workspaceID: String, object: String, _ one: String, _ other: String, by userID: String?, at: Int64
    ) async throws {
        let (first, second) = one < other ? (one, other) : (other, one)
        try await store.transaction { database in
            try await database.raw(
                """
                INSERT INTO duplicate_dismissals (workspace_id, object, record_a, record_b, dismissed_by, dismissed_at)
                VALUES (\(bind: workspaceID), \(bind: object), \(bind: first), \(bind: second), \(bind: userID), \(bind: at))
                ON CONFLICT DO NOTHING
                """
            ).run()
        }
    }

    /// Whether a pair was dismissed.
    package func isDismissed(workspaceID: String, object: String, _ one: String, _ other: String) async throws -> Bool {
        let (first, second) = one < other ? (one, other) : (other, one)
        return try await store.readRows(inline: true) {
            try await $0.rows(
                "SELECT 1 FROM duplicate_dismissals WHERE workspace_id = ? AND object = ? AND record_a = ? AND record_b = ?",
                [.text(workspaceID), .text(object), .text(first), .text(second)])
        }.isEmpty == false
    }

    // MARK: Reading

    /// The keys a record shares with others not dismissed with it, in the others' id order after
    /// `after`: at most `limit` rows (one per shared key).
    ///
    /// Read key by key: the record's keys by its index, then each key's records from the primary key in
    /// id order, so no database plans a walk of the whole workspace to avoid sorting a few rows.
    package func matches(workspaceID: String, object: String, recordID: String, after: String?, limit: Int)
        async throws -> [Match]
    {
        let scope: [DBValue] = [.text(workspaceID), .text(object)]
        return try await store.readRows { session in
            let own = try await session.rows(
                "SELECT rule, scope, match_key, value FROM duplicate_keys WHERE workspace_id = ? AND object = ? AND record_id = ?",
                scope + [.text(recordID)])
            guard !own.isEmpty else { return [] }
            let dismissed = try await session.rows(
                "SELECT record_b FROM duplicate_dismissals WHERE workspace_id = ? AND object = ? AND record_a = ? UNION ALL SELECT record_a FROM duplicate_dismissals WHERE workspace_id = ? AND object = ? AND record_b = ?",
                scope + [.text(recordID)] + scope + [.text(recordID)])
            let hidden = Set(dismissed.compactMap { $0[0].text } + [recordID])
            var found: [Match] = []
            for key in own {
                guard let rule = key[0].text, let keyScope = key[1].text else { continue }
                var sql =
                    "SELECT record_id, value FROM duplicate_keys WHERE workspace_id = ? AND object = ? AND rule = ? AND scope = ? AND match_key = ?"
                var binds = scope + [key[0], key[1], key[2]]
                if let after {
                    sql += " AND record_id > ?"
                    binds.append(.text(after))
                }
                sql += " ORDER BY record_id LIMIT ?"
                binds.append(.int(Int64(limit + hidden.count)))
                for row in try await session.rows(sql, binds) {
                    guard let other = row[0].text, !hidden.contains(other) else { continue }
                    found.append(
                        Match(
                            otherID: other, rule: rule, scope: keyScope, value: key[3].text ?? "",
                            otherValue: row[1].text ?? ""))
                }
            }
            found.sort { ($0.otherID, $0.rule, $0.scope) < ($1.otherID, $1.rule, $1.scope) }
            return Array(found.prefix(limit))
        }
    }

    /// A page of the workspace's pairs of records that share a key and were not dismissed, each pair
    /// once (at the first key they share), in key order after `after`.
    ///
    /// Keys shared by several records are found first, a batch at a time, by one walk of the key index
    /// that reads no record and probes nothing (most keys belong to one record); then the pairs of just
    /// those keys, by their primary key.
    /// - Returns: the pairs, and where the next page starts when there is one.
    package func pairs(workspaceID: String, object: String, after: DuplicatePairCursor?, limit: Int) async throws
        -> (pairs: [Pair], next: DuplicatePairCursor?)
    {
        let scope: [DBValue] = [.text(workspaceID), .text(object)]
        let batch = 200
        return try await store.readRows { session in
            var pairs: [Pair] = []
            var from: (key: [DBValue], inclusive: Bool)? = after.map {
                ([.text($0.rule), .text($0.scope), .text($0.key)], true)
            }
            while pairs.count <= limit {
                var groupSQL = "SELECT rule, scope, match_key FROM duplicate_keys WHERE workspace_id = ? AND object = ?"
                var groupBinds = scope
                if let from {
                    groupSQL += " AND (rule, scope, match_key) \(from.inclusive ? ">=" : ">") (?, ?, ?)"
                    groupBinds += from.key
                }
                groupSQL +=
                    " GROUP BY rule, scope, match_key HAVING count(*) > 1 ORDER BY rule, scope, match_key LIMIT ?"
                groupBinds.append(.int(Int64(batch)))
                let groups = try await session.rows(groupSQL, groupBinds)
                guard let last = groups.last else { break }
                for group in groups where pairs.count <= limit {
                    pairs += try await Self.pairs(
                        of: Array(group.prefix(3)), scope: scope, after: after, limit: limit + 1 - pairs.count,
                        on: session)
                }
                if groups.count < batch { break }
                from = (Array(last.prefix(3)), false)
            }
            let more = pairs.count > limit
            if more { pairs.removeLast(pairs.count - limit) }
            return (pairs, more ? pairs.last?.cursor : nil)
        }
    }

    /// The pairs of records that share one key (rule, scope, key), in their ids' order, past `after`,
    /// leaving out dismissed pairs and pairs that share an earlier key too.
    static func pairs(
        of group: [DBValue], scope: [DBValue], after: DuplicatePairCursor?, limit: Int, on session: RowSession
    ) async throws -> [Pair] {
        var binds = scope
        var sql = """
            SELECT a.rule, a.scope, a.match_key, a.record_id, b.record_id, a.value, b.value
            FROM duplicate_keys a
            JOIN duplicate_keys b ON b.workspace_id = a.workspace_id AND b.object = a.object AND b.rule = a.rule
                AND b.scope = a.scope AND b.match_key = a.match_key AND b.record_id > a.record_id
            WHERE a.workspace_id = ? AND a.object = ? AND a.rule = ? AND a.scope = ? AND a.match_key = ?
            """
        binds += group
        if let after {
            // Within the cursor's key, only the pairs past its records.
            sql +=
                " AND NOT (a.rule = ? AND a.scope = ? AND a.match_key = ? AND (a.record_id < ? OR (a.record_id = ? AND b.record_id <= ?)))"
            binds += [after.rule, after.scope, after.key, after.first, after.first, after.second].map(DBValue.text)
        }
        sql += """
             AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals d
                WHERE d.workspace_id = a.workspace_id AND d.object = a.object AND d.record_a = a.record_id
                AND d.record_b = b.record_id)
             AND NOT EXISTS (SELECT 1 FROM duplicate_keys x
                JOIN duplicate_keys y ON y.workspace_id = x.workspace_id AND y.object = x.object AND y.rule = x.rule
                    AND y.scope = x.scope AND y.match_key = x.match_key AND y.record_id = b.record_id
                WHERE x.workspace_id = a.workspace_id AND x.object = a.object AND x.record_id = a.record_id
                AND (x.rule, x.scope, x.match_key) < (a.rule, a.scope, a.match_key))
            ORDER BY a.record_id, b.record_id LIMIT ?
            """
        binds.append(.int(Int64(limit)))
        return try await session.rows(sql, binds).compactMap { row -> Pair? in
            guard let rule = row[0].text, let scope = row[1].text, let key = row[2].text, let first = row[3].text,
                let second = row[4].text
            else { return nil }
            return Pair(
                cursor: DuplicatePairCursor(rule: rule, scope: scope, key: key, first: first, second: second),
                firstValue: row[5].text ?? "", secondValue: row[6].text ?? "")
        }
    }

    /// The stored keys of some records, by record id.
    package func keys(workspaceID: String, object: String, recordIDs: [String]) async throws -> [String: [DuplicateKey]]
    {
        let wanted = Array(Set(recordIDs))
        guard !wanted.isEmpty else { return [:] }
        let sql =
            "SELECT record_id, rule, scope, match_key, value FROM duplicate_keys WHERE workspace_id = ? AND object = ? AND record_id IN (\(RowSession.placeholders(wanted.count)))"
        let rows = try await store.readRows {
            try await $0.rows(sql, [.text(workspaceID), .text(object)] + wanted.map(DBValue.text))
        }
        var found: [String: [DuplicateKey]] = [:]
        for row in rows {
            guard let id = row[0].text else { continue }
            found[id, default: []].append(
                DuplicateKey(
                    rule: row[1].text ?? "", scope: row[2].text ?? "", key: row[3].text ?? "", value: row[4].text ?? "")
            )
        }
        return found
    }
}

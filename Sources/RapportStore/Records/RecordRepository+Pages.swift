import Foundation
package import RapportCore
package import RapportDatabase

/// A record's place in creation order (`created_at`, then id): how an export walks a workspace.
package typealias CreationKey = (createdAt: Int64, id: String)

/// The workspace's records in creation order, a page at a time, straight from the driver (exports).
extension RecordRepository {
    /// `AND` the rows after `key` in creation order.
    func after(_ key: CreationKey?) -> (sql: String, binds: [DBValue]) {
        guard let key else { return ("", []) }
        return (" AND (created_at, id) > (?, ?)", [.int(key.createdAt), .text(key.id)])
    }

    /// The last key of the page of `size` rows that follows `key`; nil when that page is the last one.
    /// OFFSET walks the creation index without reading the rows, so this is cheap.
    package func pageEnd(_ reach: RecordScope, after key: CreationKey?, size: Int) async throws -> CreationKey? {
        let (condition, binds) = after(key)
        let (visible, visibleBinds) = visibleCondition(reach)
        let statement =
            "SELECT created_at, id FROM \(table) WHERE \(visible)\(condition) ORDER BY created_at, id LIMIT 1 OFFSET \(max(0, size - 1))"
        let values = visibleBinds + binds
        let rows = try await store.readRows { session in try await session.rows(statement, values) }
        return rows.first.map { ($0[0].int ?? 0, $0[1].text ?? "") }
    }

    /// Calls `body` with each stored row (`columns` order) after `start` up to and including `end` (to the
    /// last one without it), on the reading connection's thread, from the cells as the database holds them.
    package func scanPage(
        _ reach: RecordScope, after start: CreationKey?, through end: CreationKey?,
        _ body: @escaping @Sendable (RowCells) -> Void
    ) async throws {
        var (statement, values) = after(start)
        let (visible, visibleBinds) = visibleCondition(reach)
        statement = "SELECT \(columnList) FROM \(table) WHERE \(visible)" + statement
        values = visibleBinds + values
        if let end {
            statement += " AND (created_at, id) <= (?, ?)"
            values += [.int(end.createdAt), .text(end.id)]
        }
        statement += " ORDER BY created_at, id"
        let (sql, binds) = (statement, values)
        try await store.readRows { session in try await session.scan(sql, binds, body) }
    }
}

extension RecordRepository {
    /// The ids a reference column holds in the page after `start` up to and including `end` (to the last
    /// row without it): what an export looks up the names of before writing the page.
    package func referencedIDs(
        _ field: String, reach: RecordScope, after start: CreationKey?, through end: CreationKey?
    ) async throws -> [String] {
        guard let kind = schema.field(field)?.kind, case .reference = kind else { return [] }
        var (statement, values) = after(start)
        let (visible, visibleBinds) = visibleCondition(reach)
        statement = "SELECT DISTINCT \(field) FROM \(table) WHERE \(visible) AND \(field) IS NOT NULL" + statement
        values = visibleBinds + values
        if let end {
            statement += " AND (created_at, id) <= (?, ?)"
            values += [.int(end.createdAt), .text(end.id)]
        }
        let (sql, binds) = (statement, values)
        return try await store.readRows { session in try await session.rows(sql, binds) }.compactMap { $0[0].text }
    }
}

import Logging
import NIOCore
import NIOPosix
import PostgresKit
package import SQLKit
import SQLiteKit

/// One leased connection with row statements that skip SQLKit: multi-row inserts and reads of plain
/// rows (`Database.writeRows`, `Database.readRows`). SQL is written with `?` placeholders; on
/// PostgreSQL they become `$1`, `$2`, ….
package struct RowSession: Sendable {
    enum Connection: Sendable {
        case sqlite(SQLiteConnection)
        /// A connection through SQLite's C API (the writer or a reader), run on the pool's threads
        /// (or, without one, on the caller's).
        case sqliteHandle(SQLiteHandle, NIOThreadPool?)
        case postgres(PostgresConnection, Logger)
    }

    let connection: Connection
    /// The same connection through SQLKit, for the statements that are not on the hot path.
    package let sql: any SQLDatabase

    package var kind: DatabaseKind {
        switch connection {
        case .sqlite, .sqliteHandle: .sqlite
        case .postgres: .postgres
        }
    }

    /// The most values one statement binds (PostgreSQL allows 65,535; SQLite as compiled here, 250,000).
    static let maximumBinds = 30_000

    /// Inserts rows, as many per statement as the bind limit allows.
    /// - Parameter suffix: appended to each statement, such as `ON CONFLICT DO NOTHING`.
    package func insert(into table: String, columns: [String], rows: [[DBValue]], suffix: String = "") async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, Self.maximumBinds / columns.count)
        let tuple = "(" + Self.placeholders(columns.count) + ")"
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            let sql = head + Array(repeating: tuple, count: end - start).joined(separator: ",") + " " + suffix
            try await run(sql, Array(rows[start..<end].joined()))
            start = end
        }
    }

    /// Runs a statement that returns no rows.
    package func run(_ sql: String, _ binds: [DBValue]) async throws {
        try await rows(sql, binds) { _ in }
    }

    /// The rows of a query, each as its column values in SELECT order.
    package func rows(_ sql: String, _ binds: [DBValue]) async throws -> [[DBValue]] {
        let box = RowBox()
        try await rows(sql, binds) { box.rows.append($0) }
        return box.rows
    }

    /// The rows of a query built with SQLKit (its placeholders already in the dialect's form).
    package func rows(_ query: any SQLExpression) async throws -> [[DBValue]] {
        let (sql, binds) = self.sql.serialize(query)
        let values = try binds.map { bind -> DBValue in
            switch bind {
            case let text as String: return .text(text)
            case let number as Int64: return .int(number)
            case let number as Int: return .int(Int64(number))
            case let number as Double: return .double(number)
            case let flag as Bool: return .int(flag ? 1 : 0)
            case let text as String?: return DBValue(text)
            case let number as Int64?: return DBValue(number)
            case let number as Double?: return number.map(DBValue.double) ?? .null
            default: throw UnsupportedBind(type: "\(type(of: bind))")
            }
        }
        let box = RowBox()
        try await rows(sql, values, renumber: false) { box.rows.append($0) }
        return box.rows
    }

    struct UnsupportedBind: Error {
        let type: String
    }

    /// Calls `body` with each row of a query, on whatever thread the driver delivers it.
    /// - Parameter renumber: whether `?` placeholders become `$n` on PostgreSQL.
    package func rows(
        _ sql: String, _ binds: [DBValue], renumber: Bool = true, _ body: @escaping @Sendable ([DBValue]) -> Void
    ) async throws {
        switch connection {
        case .sqliteHandle(let reader, let threadPool?):
            try await threadPool.runIfActive { try reader.query(sql, binds, body) }
        case .sqliteHandle(let reader, nil):
            try reader.query(sql, binds, body)
        case .sqlite(let connection):
            let data = binds.map { value -> SQLiteData in
                switch value {
                case .null: .null
                case .int(let number): .integer(Int(number))
                case .text(let text): .text(text)
                case .double(let number): .float(number)
                }
            }
            try await connection.query(sql, data) { row in
                body(
                    row.columns.map { column in
                        switch column.data {
                        case .integer(let number): .int(Int64(number))
                        case .float(let number): .double(number)
                        case .text(let text): .text(text)
                        case .blob(let buffer): .text(String(buffer: buffer))
                        case .null: .null
                        }
                    })
            }
        case .postgres(let connection, let logger):
            var bindings = PostgresBindings(capacity: binds.count)
            for value in binds {
                switch value {
                case .null: bindings.appendNull()
                case .int(let number): bindings.append(number)
                case .text(let text): bindings.append(text)
                case .double(let number): bindings.append(number)
                }
            }
            let query = PostgresQuery(unsafeSQL: renumber ? Self.numbered(sql) : sql, binds: bindings)
            let rows = try await connection.query(query, logger: logger)
            for try await row in rows {
                var values: [DBValue] = []
                for cell in row {
                    values.append(try Self.value(cell))
                }
                body(values)
            }
        }
    }

    /// Calls `body` with each row's cells; on SQLite's fast connections text is read in place, without
    /// a `String` per value (exports).
    package func scan(_ sql: String, _ binds: [DBValue], _ body: @escaping @Sendable (RowCells) -> Void) async throws {
        switch connection {
        case .sqliteHandle(let reader, let threadPool?):
            try await threadPool.runIfActive { try reader.scan(sql, binds, body) }
        case .sqliteHandle(let reader, nil):
            try reader.scan(sql, binds, body)
        default:
            try await rows(sql, binds) { body(.values($0)) }
        }
    }

    static func value(_ cell: PostgresCell) throws -> DBValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .float8, .float4, .numeric: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// `?` placeholders as PostgreSQL's `$n` (the SQL given here has no `?` inside literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + sql.utf8.count / 2)
        var number = 0
        for character in sql.unicodeScalars {
            if character == "?" {
                number += 1
                out += "$\(number)"
            } else {
                out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// `?, ?, ?` for `count` values.
    package static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

/// Collects rows delivered by a driver callback that runs before the query's await returns.
private final class RowBox: @unchecked Sendable {
    var rows: [[DBValue]] = []
}

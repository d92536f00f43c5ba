import VaporCSQLite

/// One row's cells during a scan: SQLite's own (valid only while the row is current), or values read
/// already (PostgreSQL, SQLiteNIO).
package enum RowCells {
    case statement(OpaquePointer)
    case values([DBValue])

    /// An integer cell; nil for any other type.
    package func int(_ column: Int) -> Int64? {
        switch self {
        case .statement(let statement):
            guard sqlite_nio_sqlite3_column_type(statement, Int32(column)) == SQLITE_INTEGER else { return nil }
            return sqlite_nio_sqlite3_column_int64(statement, Int32(column))
        case .values(let values):
            if case .int(let number) = values[column] { return number }
            return nil
        }
    }

    /// Calls `body` with a cell's text as UTF-8 (numbers as their text); nil for NULL.
    package func withUTF8<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        switch self {
        case .statement(let statement):
            let index = Int32(column)
            guard sqlite_nio_sqlite3_column_type(statement, index) != SQLITE_NULL else { return nil }
            let bytes = sqlite_nio_sqlite3_column_text(statement, index)
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
        case .values(let values):
            guard var text = values[column].text else { return nil }
            return text.withUTF8(body)
        }
    }

    /// A cell's text (numbers as their text); nil for NULL.
    package func text(_ column: Int) -> String? {
        withUTF8(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// Every cell as a value.
    package func values(count: Int) -> [DBValue] {
        switch self {
        case .statement(let statement): (0..<count).map { SQLiteHandle.value(statement, Int32($0)) }
        case .values(let values): values
        }
    }
}

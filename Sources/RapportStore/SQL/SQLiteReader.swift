import VaporCSQLite

/// A reading SQLite connection driven through SQLite's C API, for the statements on the hot path
/// (`Store.bulkRead`): a record by id, list pages, search, export pages.
///
/// SQLiteNIO prepares every statement anew and wraps every value of every row in its own row type.
/// Here statements are prepared once per connection and kept, and values go straight to `DBValue`.
/// One caller at a time uses a reader (the pool leases it); `query_only` makes sure it never writes.
final class SQLiteReader: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by their SQL.
    private var statements: [String: OpaquePointer] = [:]
    /// Beyond this many kept statements the cache starts over (statements with `IN (?, …)` lists of
    /// every length would otherwise pile up).
    static let cacheLimit = 96

    /// Opens `path`, which must already be an SQLite database in WAL mode (the store's first
    /// connection through SQLiteNIO made it so).
    init(path: String, cacheKiB: Int) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            defer { sqlite_nio_sqlite3_close(handle) }
            throw SQLiteReaderError(code: status, message: Self.message(handle))
        }
        do {
            for pragma in ["busy_timeout = 10000", "query_only = 1", "cache_size = -\(cacheKiB)"] {
                try query("PRAGMA \(pragma)", [], cache: false) { _ in }
            }
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite_nio_sqlite3_close(handle) }
        handle = nil
    }

    /// Runs a statement, calling `body` with each row's values in column order.
    func query(_ sql: String, _ binds: [DBValue], cache: Bool = true, _ body: ([DBValue]) -> Void) throws {
        let statement = try prepare(sql, cache: cache)
        defer {
            if cache {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            case .int(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, number)
            case .double(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(
                    statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
            guard status == SQLITE_OK else { throw SQLiteReaderError(code: status, message: Self.message(handle)) }
        }
        let columns = sqlite_nio_sqlite3_column_count(statement)
        var row: [DBValue] = []
        row.reserveCapacity(Int(columns))
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw SQLiteReaderError(code: status, message: Self.message(handle)) }
            row.removeAll(keepingCapacity: true)
            for column in 0..<columns {
                row.append(Self.value(statement, column))
            }
            body(row)
        }
    }

    private func prepare(_ sql: String, cache: Bool) throws -> OpaquePointer {
        if cache, let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let flags = cache ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw SQLiteReaderError(code: status, message: Self.message(handle))
        }
        if cache {
            if statements.count >= Self.cacheLimit {
                for kept in statements.values { sqlite_nio_sqlite3_finalize(kept) }
                statements = [:]
            }
            statements[sql] = statement
        }
        return statement
    }

    private static func value(_ statement: OpaquePointer, _ column: Int32) -> DBValue {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .int(sqlite_nio_sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .double(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_NULL:
            return .null
        default:
            // Text, and blobs read as text (nothing here stores blobs).
            guard let bytes = sqlite_nio_sqlite3_column_text(statement, column) else { return .null }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        }
    }

    private static func message(_ handle: OpaquePointer?) -> String {
        sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown"
    }

    /// SQLite copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A failed read on an `SQLiteReader`: SQLite's extended result code and message (for the log only).
struct SQLiteReaderError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite \(code): \(message)" }

    /// Whether another connection held a lock for longer than the busy timeout.
    var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

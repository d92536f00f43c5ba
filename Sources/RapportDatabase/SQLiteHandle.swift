import Foundation
import VaporCSQLite

/// An SQLite connection driven through SQLite's C API: the store's one writer, and the readers of the
/// statements on the hot path (`Database.readRows`: a record by id, list pages, search, export pages).
///
/// SQLiteNIO prepares every statement anew, runs each on a thread of its pool and wraps every value of
/// every row in its own row type. Here statements are prepared once per connection and kept, run on
/// the calling thread, and values go straight to `DBValue`. One caller at a time uses a connection
/// (the pool leases it); a reader is `query_only`, so it never writes.
final class SQLiteHandle: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by their SQL.
    private var statements: [String: OpaquePointer] = [:]
    /// A writer's checkpoints: its commit hook points to it.
    private let checkpointer: Checkpointer?
    /// Beyond this many kept statements the cache starts over (statements with `IN (?, …)` lists of
    /// every length would otherwise pile up).
    static let cacheLimit = 96
    /// Statements with more parameters than this drop their bound values after each use.
    static let clearedBinds = 64

    /// Opens `path`, which must already be an SQLite database in WAL mode (the store's first
    /// connection through SQLiteNIO made it so).
    /// - Parameters:
    ///   - write: a writer (foreign keys enforced) rather than a `query_only` reader.
    ///   - checkpointer: a writer's checkpoints (in place of SQLite's own, which run in the commit that
    ///     crosses the threshold); kept as long as the connection.
    init(path: String, cacheKiB: Int, write: Bool = false, checkpointer: Checkpointer? = nil) throws {
        self.checkpointer = checkpointer
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            defer { sqlite_nio_sqlite3_close(handle) }
            throw SQLiteHandleError(code: status, message: Self.message(handle))
        }
        let pragmas =
            write
            ? [
                "busy_timeout = 10000", "synchronous = NORMAL", "foreign_keys = ON", "cache_size = -\(cacheKiB)",
                // (the savepoint of each transaction in a group commit, and each statement, keeps the pages
                // it may have to restore: in memory rather than in a temporary file, written page by page)
                "temp_store = MEMORY",
            ]
            : ["busy_timeout = 10000", "query_only = 1", "cache_size = -\(cacheKiB)"]
        do {
            for pragma in pragmas {
                try query("PRAGMA \(pragma)", [], cache: false) { _ in }
            }
            // Switching to WAL needs a moment of exclusive access, which the busy timeout does not cover.
            var attempt = 0
            while write {
                do {
                    try query("PRAGMA journal_mode = WAL", [], cache: false) { _ in }
                    break
                } catch let error as SQLiteHandleError where error.isBusy && attempt < 100 {
                    attempt += 1
                    usleep(20_000)
                }
            }
            if let checkpointer {
                // (replaces SQLite's automatic checkpoints, which use the same hook)
                sqlite_nio_sqlite3_wal_hook(
                    handle,
                    { context, writer, _, frames in
                        if let context, let writer {
                            Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue()
                                .committed(frames: frames, writer: writer)
                        }
                        return SQLITE_OK
                    }, Unmanaged.passUnretained(checkpointer).toOpaque())
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

    /// Copies the log's frames into the database as far as readers allow, without waiting for a lock
    /// (a passive checkpoint): false when it could not run. `log` is the log's length in frames and
    /// `copied` how many of them are now in the database.
    func checkpoint(log: inout Int32, copied: inout Int32) -> Bool {
        sqlite_nio_sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK
    }

    /// Runs a statement, calling `body` with each row's values in column order.
    func query(_ sql: String, _ binds: [DBValue], cache: Bool = true, _ body: ([DBValue]) -> Void) throws {
        try query(sql, binds, cache: cache) { _, row in body(row) }
    }

    /// Runs a statement, calling `body` with the column names and each row's values.
    func query(
        _ sql: String, _ binds: [DBValue], cache: Bool = true, _ body: (_ names: () -> [String], [DBValue]) -> Void
    ) throws {
        let statement = try prepare(sql, cache: cache)
        defer { done(statement, binds: binds.count, cache: cache) }
        let columns = sqlite_nio_sqlite3_column_count(statement)
        var names: [String]?
        func columnNames() -> [String] {
            if let names { return names }
            let read = (0..<columns).map { column in
                sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
            }
            names = read
            return read
        }
        var row: [DBValue] = []
        row.reserveCapacity(Int(columns))
        try step(statement, binds) { statement in
            row.removeAll(keepingCapacity: true)
            for column in 0..<columns {
                row.append(Self.value(statement, column))
            }
            body(columnNames, row)
        }
    }

    /// Runs a query, calling `body` with each row's cells as SQLite holds them (valid during the call
    /// only): text is read in place, without a `String` per value.
    func scan(_ sql: String, _ binds: [DBValue], _ body: (RowCells) -> Void) throws {
        let statement = try prepare(sql, cache: true)
        defer { done(statement, binds: binds.count, cache: true) }
        try step(statement, binds) { body(.statement($0)) }
    }

    /// Readies a kept statement for its next use, or finalizes one that is not kept.
    private func done(_ statement: OpaquePointer, binds: Int, cache: Bool) {
        guard cache else {
            sqlite_nio_sqlite3_finalize(statement)
            return
        }
        sqlite_nio_sqlite3_reset(statement)
        // Every use binds every parameter anew, so bindings are cleared only to free the copies a many-row
        // insert holds. Clearing marks a statement whose plan may depend on a bound value (such as
        // `column = ?`, from SQLite 3.50) as expired, and it is then compiled again.
        if binds > Self.clearedBinds { sqlite_nio_sqlite3_clear_bindings(statement) }
    }

    /// Binds `binds` and steps through the rows, calling `perRow` with each.
    private func step(_ statement: OpaquePointer, _ binds: [DBValue], _ perRow: (OpaquePointer) -> Void) throws {
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
            guard status == SQLITE_OK else { throw SQLiteHandleError(code: status, message: Self.message(handle)) }
        }
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw SQLiteHandleError(code: status, message: Self.message(handle)) }
            perRow(statement)
        }
    }

    private func prepare(_ sql: String, cache: Bool) throws -> OpaquePointer {
        if cache, let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let flags = cache ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw SQLiteHandleError(code: status, message: Self.message(handle))
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

    static func value(_ statement: OpaquePointer, _ column: Int32) -> DBValue {
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

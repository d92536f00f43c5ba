import VaporCSQLite

/// A failed read on an `SQLiteHandle`: SQLite's extended result code and message (for the log only).
struct SQLiteHandleError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite \(code): \(message)" }

    /// Whether another connection held a lock for longer than the busy timeout.
    var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }

    /// Whether a unique index or primary key refused a row.
    var isUniqueViolation: Bool {
        // (SQLITE_CONSTRAINT, and its extended codes _PRIMARYKEY and _UNIQUE, which Swift cannot import)
        code == SQLITE_CONSTRAINT || code == SQLITE_CONSTRAINT | 6 << 8 || code == SQLITE_CONSTRAINT | 8 << 8
    }
}

import Foundation
import RapportDatabase
import SQLKit

/// Where Rapport's SQL differs between the two databases. Every such difference is decided in this file.
extension DatabaseKind {
    /// Migrations write `TEXT_BINARY` for text compared byte by byte (prefix ranges on search terms):
    /// PostgreSQL's default collation is locale-aware, SQLite's is already binary. `JOIN_WITH_SPACES(x)`
    /// is the aggregate that joins values with spaces. A table that ends in `WITHOUT_ROWID` keeps its rows
    /// in its primary key's B-tree on SQLite (a key table read only through that key); PostgreSQL has heaps.
    func adapt(_ statement: String) -> String {
        switch self {
        case .sqlite:
            statement.replacingOccurrences(of: "TEXT_BINARY", with: "TEXT")
                .replacingOccurrences(of: "JOIN_WITH_SPACES(t.term)", with: "group_concat(t.term, ' ')")
                .replacingOccurrences(of: "WITHOUT_ROWID", with: "WITHOUT ROWID")
        case .postgres:
            statement.replacingOccurrences(of: "TEXT_BINARY", with: "TEXT COLLATE \"C\"")
                .replacingOccurrences(of: "JOIN_WITH_SPACES(t.term)", with: "string_agg(t.term, ' ')")
                .replacingOccurrences(of: "WITHOUT_ROWID", with: "")
        }
    }

    /// Ends the subquery that picks the job to claim. PostgreSQL locks the row and passes over rows that
    /// other transactions hold, so concurrent claims take different jobs without waiting; on SQLite the one
    /// writer runs the subquery and its `UPDATE` with no other write in between.
    var claimLock: String {
        switch self {
        case .sqlite: ""
        case .postgres: "FOR UPDATE SKIP LOCKED"
        }
    }

    /// Serialises, until the transaction ends, the frequency checks of one contact's marketing mail across
    /// processes: PostgreSQL's transaction-scoped advisory lock on (31, a hash of the workspace and contact). None
    /// on SQLite, where the one writer runs each check-and-reserve transaction whole.
    func contactSendLock(workspaceID: String, contactID: String) -> SQLQueryString? {
        switch self {
        case .sqlite: nil
        case .postgres: "SELECT pg_advisory_xact_lock(31, hashtext(\(bind: workspaceID + ":" + contactID)))"
        }
    }

    /// Ends a `SELECT` of one row that the transaction goes on to change on the strength of what it read (a
    /// message's tracking hits): PostgreSQL locks the row until the transaction ends, so two hits of one message
    /// are decided one after the other; on SQLite the one writer runs write transactions one at a time anyway.
    var rowLock: String {
        switch self {
        case .sqlite: ""
        case .postgres: "FOR UPDATE"
        }
    }

    /// The UTC month (`YYYY-MM`) of a column of microseconds since 1970.
    func monthOfMicros(_ column: String) -> String {
        switch self {
        case .sqlite: "strftime('%Y-%m', \(column) / 1000000, 'unixepoch')"
        case .postgres: "to_char(to_timestamp(\(column) / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM')"
        }
    }

    /// A join that reads its left table first. SQLite's planner otherwise may start from the larger
    /// table (every recent event of a workspace) where the left one (a user's records) is the few rows
    /// to start from; `CROSS JOIN` fixes its order. PostgreSQL plans joins by cost from its statistics.
    var leftFirstJoin: String {
        switch self {
        case .sqlite: "CROSS JOIN"
        case .postgres: "JOIN"
        }
    }

    /// A key for PostgreSQL's advisory lock that serialises migrations across processes.
    static let migrationLockKey: Int64 = 7_261_707_871_100

    /// Takes the lock that serialises migrations across processes: PostgreSQL's advisory lock. None on
    /// SQLite, where each step runs under `BEGIN IMMEDIATE` and re-checks what is applied.
    var migrationLock: SQLQueryString? {
        switch self {
        case .sqlite: nil
        case .postgres: "SELECT pg_advisory_lock(\(literal: Self.migrationLockKey))"
        }
    }

    /// Releases `migrationLock`.
    var migrationUnlock: SQLQueryString? {
        switch self {
        case .sqlite: nil
        case .postgres: "SELECT pg_advisory_unlock(\(literal: Self.migrationLockKey))"
        }
    }

    // MARK: Custom fields (a JSON object in the `custom` column)

    /// A custom field's value as text or JSON.
    func customText(_ key: String) -> SQLQueryString {
        switch self {
        case .sqlite: "json_extract(custom, \(bind: "$." + key))"
        case .postgres: "(custom::jsonb ->> \(bind: key))"
        }
    }

    /// A custom field's value as a number.
    func customNumber(_ key: String) -> SQLQueryString {
        switch self {
        case .sqlite: "json_extract(custom, \(bind: "$." + key))"
        case .postgres: "((custom::jsonb ->> \(bind: key))::double precision)"
        }
    }

    /// A true/false custom field's value as 1 or 0.
    func customFlag(_ key: String) -> SQLQueryString {
        switch self {
        case .sqlite: "json_extract(custom, \(bind: "$." + key))"
        case .postgres: "(((custom::jsonb ->> \(bind: key))::boolean)::int)"
        }
    }

    /// Whether a custom field's JSON array (a multi-select) holds `value`.
    func customListContains(_ key: String, _ value: SQLQueryString) -> SQLQueryString {
        switch self {
        case .sqlite: "EXISTS (SELECT 1 FROM json_each(custom, \(bind: "$." + key)) WHERE json_each.value = \(value))"
        case .postgres: "jsonb_exists(custom::jsonb -> \(bind: key), \(value))"
        }
    }

    /// The `custom` column without a field (when its definition is deleted).
    func customRemoving(_ key: String) -> SQLQueryString {
        switch self {
        case .sqlite: "json_remove(custom, \(bind: "$." + key))"
        case .postgres: "((custom::jsonb - \(bind: key))::text)"
        }
    }

    /// Whether the `custom` column has a field.
    func customHas(_ key: String) -> SQLQueryString {
        switch self {
        case .sqlite: "json_type(custom, \(bind: "$." + key)) IS NOT NULL"
        case .postgres: "(custom::jsonb ? \(bind: key))"
        }
    }

    // MARK: Text and lists

    /// Whether a JSON array column holds `value`.
    func listContains(column: SQLQueryString, _ value: SQLQueryString) -> SQLQueryString {
        switch self {
        case .sqlite: "EXISTS (SELECT 1 FROM json_each(\(column)) WHERE json_each.value = \(value))"
        case .postgres: "jsonb_exists(\(column)::jsonb, \(value))"
        }
    }

    /// Whether `expression`, lower-cased, contains `text` (lower-cased already, A-Z only).
    func containsLowercased(_ expression: SQLQueryString, _ text: String) -> SQLQueryString {
        switch self {
        case .sqlite: return "instr(lower(\(expression)), \(bind: text)) > 0"
        // lower() folds only ASCII letters in SQLite; under the C collation PostgreSQL does the same.
        case .postgres: return "strpos(lower(\(expression) COLLATE \"C\"), \(bind: text)) > 0"
        }
    }

    /// The function that gives where a text starts in another, 0 when it does not occur.
    var textPositionFunction: String {
        switch self {
        case .sqlite: "instr"
        case .postgres: "strpos"
        }
    }
}

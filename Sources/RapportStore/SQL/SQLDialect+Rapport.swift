import PostgresKit
import SQLKit
import SQLiteKit

/// The database engines Rapport runs on. Every dialect difference is decided in this file.
package enum DatabaseKind: String, Sendable {
    case sqlite, postgres

    /// Starts a write transaction. SQLite takes the write lock at once so that two writers queue on the
    /// busy timeout instead of failing when a read lock would have to be upgraded.
    var beginTransaction: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }

    /// Migrations write `TEXT_BINARY` for text compared byte by byte (prefix ranges on search terms):
    /// PostgreSQL's default collation is locale-aware, SQLite's is already binary. `JOIN_WITH_SPACES(x)`
    /// is the aggregate that joins values with spaces.
    func adapt(_ statement: String) -> String {
        switch self {
        case .sqlite:
            statement.replacingOccurrences(of: "TEXT_BINARY", with: "TEXT")
                .replacingOccurrences(of: "JOIN_WITH_SPACES(t.term)", with: "group_concat(t.term, ' ')")
        case .postgres:
            statement.replacingOccurrences(of: "TEXT_BINARY", with: "TEXT COLLATE \"C\"")
                .replacingOccurrences(of: "JOIN_WITH_SPACES(t.term)", with: "string_agg(t.term, ' ')")
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

    /// A key for PostgreSQL's advisory lock that serialises migrations across processes.
    static let migrationLockKey: Int64 = 7_261_707_871_100
}

/// Classifies driver errors without leaking their text.
package enum DatabaseErrors {
    /// Whether an error is a violated unique (or primary key) constraint.
    package static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteHandleError { return error.isUniqueViolation }
        if let error = error as? SQLiteError {
            switch error.reason {
            case .constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
            default: return false
            }
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "23505"
        }
        return false
    }

    /// What an unexpected error is, for the log: its type and, from a database, the SQLSTATE or reason and
    /// the server's message, never the statement or its values.
    package static func logDescription(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState] ?? "-"
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            return "PostgreSQL \(state): \(message)"
        }
        if let error = error as? SQLiteError {
            return "SQLite \(error.reason): \(error.message)"
        }
        if let error = error as? SQLiteHandleError { return error.description }
        return String(describing: type(of: error))
    }

    /// Whether SQLite refused because another connection held the lock.
    package static func isBusy(_ error: any Error) -> Bool {
        if let error = error as? SQLiteHandleError { return error.isBusy }
        guard let error = error as? SQLiteError else { return false }
        switch error.reason {
        case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot: return true
        default: return false
        }
    }
}

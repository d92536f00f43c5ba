import PostgresKit
import SQLiteKit

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

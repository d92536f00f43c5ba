import PostgresKit
import SQLKit
import SQLiteKit

/// The database engines Rapport runs on. The engine's own differences are decided here; Rapport's SQL
/// decides its own in `RapportStore/SQL/SQLDialect+Rapport.swift`.
package enum DatabaseKind: String, Sendable {
    case sqlite, postgres

    /// Starts a write transaction. SQLite takes the write lock at once so that two writers queue on the
    /// busy timeout instead of failing when a read lock would have to be upgraded.
    package var beginTransaction: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }

    /// How SQLKit writes statements for it.
    var dialect: any SQLDialect {
        switch self {
        case .sqlite: SQLiteDialect()
        case .postgres: PostgresDialect()
        }
    }
}

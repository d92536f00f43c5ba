import RapportDatabase
import SQLKit

/// One schema step. Its SQL is portable between SQLite and PostgreSQL (TEXT, BIGINT, INTEGER only).
struct Migration: Sendable {
    let version: Int
    let name: String
    /// The database it changes; elsewhere it is recorded as applied and does nothing.
    var only: DatabaseKind? = nil
    let statements: [String]
    /// Rows computed in Swift for what the statements made (keys normalised by Core), run after them in
    /// the same transaction.
    var fill: (@Sendable (Store, any SQLDatabase) async throws -> Void)? = nil
}

/// The one ordered list of migrations; append only, never edit one that has shipped.

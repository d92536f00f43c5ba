import RapportDatabase

/// One schema step. Its SQL is portable between SQLite and PostgreSQL (TEXT, BIGINT, INTEGER only).
struct Migration: Sendable {
    let version: Int
    let name: String
    /// The database it changes; elsewhere it is recorded as applied and does nothing.
    var only: DatabaseKind? = nil
    let statements: [String]
}

/// The one ordered list of migrations; append only, never edit one that has shipped.

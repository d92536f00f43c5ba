package import Logging
import RapportCore
package import RapportDatabase
package import SQLKit

/// Rapport's data behind one process: the database engine (a pool over SQLite or PostgreSQL), the
/// migration runner, and the caches the repositories share.
package final class Store: Sendable {
    /// The engine: connections, transactions, row sessions.
    let engine: Database
    /// SQLite or PostgreSQL: Rapport's SQL differs by it (`SQL/SQLDialect+Rapport.swift`).
    package let kind: DatabaseKind
    let logger: Logger
    /// Pooled access for single statements; use `transaction` for several that belong together.
    package let database: any SQLDatabase
    /// API tokens authenticated in the last second.
    package let tokens = TokenCache()

    private init(engine: Database, logger: Logger) {
        self.engine = engine
        self.kind = engine.kind
        self.logger = logger
        self.database = engine.sql
    }

    /// Opens (creating an SQLite file when needed) without migrating.
    /// - Throws: `RapportError` with a readable line when the location cannot be used.
    package static func open(_ url: DatabaseURL, logger: Logger) async throws -> Store {
        do {
            return Store(engine: try await Database.open(url, logger: logger), logger: logger)
        } catch let error as DatabaseLocationError {
            throw RapportError(error)
        }
    }

    /// Closes every connection.
    package func close() async {
        await engine.close()
    }

    /// Runs `body` in one transaction on one connection: all of it is written, or none.
    package func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await engine.transaction(body)
    }

    /// Runs `body` in one write transaction with the row statements of `RowSession`, which skip SQLKit;
    /// on SQLite, transactions that arrive together share a commit.
    package func writeRows<R: Sendable>(_ body: @escaping @Sendable (RowSession) async throws -> R) async throws -> R {
        try await engine.writeRows(body)
    }

    /// Runs `body` with a `RowSession` on a reading connection (nothing may be written).
    /// - Parameter inline: on SQLite, run the statements on the calling thread: only for statements that
    ///   take microseconds, such as a lookup by primary key.
    package func readRows<R: Sendable>(inline: Bool = false, _ body: @Sendable (RowSession) async throws -> R)
        async throws -> R
    {
        try await engine.readRows(inline: inline, body)
    }
}

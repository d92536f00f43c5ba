import Foundation
package import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
package import SQLKit
import SQLiteKit

/// A pool of connections to SQLite or PostgreSQL, with transactions and row sessions; it knows no
/// Rapport table.
package final class Database: Sendable {
    /// SQLite or PostgreSQL.
    package let kind: DatabaseKind
    let source: ConnectionSource
    let logger: Logger
    private let runTask: Task<Void, Never>?
    /// Pooled access for single statements; use `transaction` for several that belong together.
    package let sql: any SQLDatabase
    /// SQLite's write transactions waiting to share a commit.
    let groupCommit = GroupCommit()

    private init(kind: DatabaseKind, source: ConnectionSource, logger: Logger, runTask: Task<Void, Never>?) {
        self.kind = kind
        self.source = source
        self.logger = logger
        self.runTask = runTask
        self.sql = PooledSQLDatabase(
            source: source, logger: logger, eventLoop: MultiThreadedEventLoopGroup.singleton.any(),
            dialect: kind.dialect)
    }

    /// Opens (creating an SQLite file when needed).
    /// - Throws: `DatabaseLocationError` with a readable line when the location cannot be used.
    package static func open(_ url: DatabaseURL, logger: Logger) async throws -> Database {
        switch url {
        case .sqlite(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory) else {
                throw DatabaseLocationError("The directory \(directory) for the SQLite database does not exist.")
            }
            let pool = SQLitePool(path: path, readers: 4, logger: logger)
            let database = Database(kind: .sqlite, source: .sqlite(pool), logger: logger, runTask: nil)
            do {
                _ = try await database.sql.raw("SELECT 1").all()
            } catch {
                await pool.close()
                database.logger.debug("cannot open SQLite", metadata: ["error": "\(error)"])
                throw DatabaseLocationError("Cannot open the SQLite database at \(path).")
            }
            return database
        case .postgres(let host, let port, let user, let password, let name):
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: name, tls: .disable)
            configuration.options.maximumConnections = 16
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let started = NIOLockedValueBox(false)
            let task = Task {
                started.withLockedValue { $0 = true }
                await client.run()
            }
            // Lease only once the client runs, or PostgresNIO warns about an early lease.
            while !started.withLockedValue({ $0 }) { await Task.yield() }
            await Task.yield()
            let database = Database(kind: .postgres, source: .postgres(client), logger: logger, runTask: task)
            do {
                _ = try await database.sql.raw("SELECT 1").all()
            } catch {
                task.cancel()
                throw DatabaseLocationError("Cannot connect to PostgreSQL at \(url.redacted).")
            }
            return database
        }
    }

    /// Closes every connection.
    package func close() async {
        switch source {
        case .sqlite(let pool): await pool.close()
        case .postgres: runTask?.cancel()
        }
    }

    /// Runs `body` in one transaction on one connection: all of it is written, or none.
    package func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await source.lease(write: true) { database in
            try await database.raw(SQLQueryString(kind.beginTransaction)).run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Runs `body` on one leased connection (on SQLite, the writer), outside any transaction unless it
    /// begins one: for work that takes its own locks, such as migrations.
    package func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await source.lease(write: true, body)
    }
}

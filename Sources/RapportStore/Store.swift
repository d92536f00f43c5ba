import Foundation
package import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import RapportCore
package import SQLKit
import SQLiteKit

/// The database behind one Rapport process: a pool over SQLite or PostgreSQL, and the migration runner.
package final class Store: Sendable {
    package let kind: DatabaseKind
    let source: ConnectionSource
    let logger: Logger
    private let runTask: Task<Void, Never>?
    /// Pooled access for single statements; use `transaction` for several that belong together.
    package let database: any SQLDatabase
    /// API tokens authenticated in the last second.
    package let tokens = TokenCache()
    /// SQLite's write transactions waiting to share a commit.
    let groupCommit = GroupCommit()

    private init(kind: DatabaseKind, source: ConnectionSource, logger: Logger, runTask: Task<Void, Never>?) {
        self.kind = kind
        self.source = source
        self.logger = logger
        self.runTask = runTask
        let dialect: any SQLDialect = kind == .sqlite ? SQLiteDialect() : PostgresDialect()
        self.database = PooledSQLDatabase(
            source: source, logger: logger, eventLoop: MultiThreadedEventLoopGroup.singleton.any(), dialect: dialect)
    }

    /// Opens (creating an SQLite file when needed) without migrating.
    /// - Throws: `RapportError` with a readable line when the location cannot be used.
    package static func open(_ url: DatabaseURL, logger: Logger) async throws -> Store {
        switch url {
        case .sqlite(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory) else {
                throw RapportError(.badRequest, "The directory \(directory) for the SQLite database does not exist.")
            }
            let pool = SQLitePool(path: path, readers: 4, logger: logger)
            let store = Store(kind: .sqlite, source: .sqlite(pool), logger: logger, runTask: nil)
            do {
                _ = try await store.database.raw("SELECT 1").all()
            } catch {
                await pool.close()
                store.logger.debug("cannot open SQLite", metadata: ["error": "\(error)"])
                throw RapportError(.badRequest, "Cannot open the SQLite database at \(path).")
            }
            return store
        case .postgres(let host, let port, let user, let password, let database):
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: .disable)
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
            let store = Store(kind: .postgres, source: .postgres(client), logger: logger, runTask: task)
            do {
                _ = try await store.database.raw("SELECT 1").all()
            } catch {
                task.cancel()
                throw RapportError(.badRequest, "Cannot connect to PostgreSQL at \(url.redacted).")
            }
            return store
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
}

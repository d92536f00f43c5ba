import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The connection pools behind a `Database`.
enum ConnectionSource: Sendable {
    case sqlite(SQLitePool)
    case postgres(PostgresClient)

    /// Runs `body` on one leased connection; `write` picks SQLite's single writer connection.
    func lease<R: Sendable>(write: Bool, _ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await leaseRows(write: write, logger: Self.logger) { try await body($0.sql) }
    }

    /// Runs `body` with a `RowSession` on one leased connection.
    /// - Parameter fast: on SQLite, whether a read gets an `SQLiteHandle` (whose session's `sql` is
    ///   the pooled database) rather than an SQLiteNIO connection. Writes always get the writer's.
    func leaseRows<R: Sendable>(
        write: Bool, fast: Bool = false, inline: Bool = false, logger: Logger,
        _ body: @Sendable (RowSession) async throws -> R
    )
        async throws -> R
    {
        switch self {
        case .sqlite(let pool) where fast || write:
            let handle = try await pool.leaseHandle(write: write)
            let sql: any SQLDatabase =
                write
                ? SQLiteConnectionDatabase(connection: handle, logger: logger, eventLoop: pool.writerExecutor.loop)
                : PooledSQLDatabase(
                    source: self, logger: logger, eventLoop: MultiThreadedEventLoopGroup.singleton.any(),
                    dialect: SQLiteDialect())
            let session = RowSession(
                connection: .sqliteHandle(handle, write || inline ? nil : pool.threadPool), sql: sql)
            do {
                // (a writer's work runs on the writer's thread: its statements run there, one after another)
                let result =
                    write
                    ? try await withTaskExecutorPreference(pool.writerExecutor) { try await body(session) }
                    : try await body(session)
                await pool.release(handle, write: write)
                return result
            } catch {
                await pool.release(handle, write: write)
                throw error
            }
        case .sqlite(let pool):
            let connection: SQLiteConnection
            do {
                connection = try await pool.leaseReader()
            } catch let error as DatabaseClosed {
                throw error
            } catch {
                await pool.failedToOpenReader(error: error)
                throw error
            }
            let session = RowSession(connection: .sqlite(connection), sql: connection.sql(queryLogLevel: nil))
            do {
                let result = try await body(session)
                await pool.releaseReader(connection)
                return result
            } catch {
                await pool.releaseReader(connection)
                throw error
            }
        case .postgres(let client):
            return try await client.withConnection { connection in
                try await body(
                    RowSession(connection: .postgres(connection, logger), sql: connection.sql(queryLogLevel: nil)))
            }
        }
    }

    static let logger = Logger(label: "rapport.database")
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import RapportCore
import SQLiteKit

/// A small pool of SQLite connections, each opened in WAL mode with foreign keys on and a busy timeout.
///
/// SQLiteKit's connection source only turns on foreign keys, so connections are opened here.
actor SQLitePool {
    private let path: String
    private let size: Int
    private let logger: Logger
    private var idle: [SQLiteConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var closed = false

    init(path: String, size: Int, logger: Logger) {
        self.path = path
        self.size = size
        self.logger = logger
    }

    func lease() async throws -> SQLiteConnection {
        if closed { throw RapportError(.badRequest, "The database is closed.") }
        if let connection = idle.popLast() { return connection }
        if open < size {
            open += 1
            do {
                return try await Self.connect(path: path, logger: logger)
            } catch {
                open -= 1
                throw error
            }
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func release(_ connection: SQLiteConnection) async {
        if closed {
            try? await connection.close()
        } else if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func close() async {
        closed = true
        for waiter in waiters { waiter.resume(throwing: RapportError(.badRequest, "The database is closed.")) }
        waiters = []
        for connection in idle { try? await connection.close() }
        idle = []
    }

    private static func connect(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
        do {
            try await connection.query("PRAGMA busy_timeout = 10000", [], { _ in })
            // Switching to WAL needs a moment of exclusive access; the busy handler does not cover it.
            var attempt = 0
            while true {
                do {
                    try await connection.query("PRAGMA journal_mode = WAL", [], { _ in })
                    break
                } catch let error as SQLiteError where error.reason == .busy && attempt < 100 {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            try await connection.query("PRAGMA synchronous = NORMAL", [], { _ in })
            try await connection.query("PRAGMA foreign_keys = ON", [], { _ in })
            return connection
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// The connection pools behind a store.
enum ConnectionSource: Sendable {
    case sqlite(SQLitePool)
    case postgres(PostgresClient)

    /// Runs `body` on one leased connection.
    func lease<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch self {
        case .sqlite(let pool):
            let connection = try await pool.lease()
            do {
                let result = try await body(connection.sql(queryLogLevel: .trace))
                await pool.release(connection)
                return result
            } catch {
                await pool.release(connection)
                throw error
            }
        case .postgres(let client):
            return try await client.withConnection { connection in
                try await body(connection.sql(queryLogLevel: .trace))
            }
        }
    }
}

/// An `SQLDatabase` over a pool: each query leases a connection, and `withSession` pins one for a closure.
struct PooledSQLDatabase: SQLDatabase {
    let source: ConnectionSource
    let logger: Logger
    let eventLoop: any EventLoop
    let dialect: any SQLDialect
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await source.lease { database in try await database.execute(sql: query, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let box = SendableBox<R>()
        try await source.lease { database in box.value = try await closure(database) }
        return box.value!
    }
}

/// Carries a closure's result out of a `@Sendable` callback that ran exactly once before it is read.
final class SendableBox<R>: @unchecked Sendable {
    var value: R?
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import RapportCore
import SQLiteKit

/// SQLite connections for one database file: one writer and a few readers, each opened in WAL mode
/// with foreign keys on and a busy timeout, and as many `SQLiteReader`s for the hot reads.
///
/// Every write in this process goes through the single writer connection, one lease at a time, so
/// writers queue here instead of sleeping in SQLite's busy handler on a thread-pool thread (which,
/// with several writers, can starve the thread the lock holder needs). Readers run in parallel (WAL).
/// The connections use their own thread pool, so a busy wait never blocks NIO's shared one.
actor SQLitePool {
    private let path: String
    private let logger: Logger
    let threadPool: NIOThreadPool
    private var readers: Slots<SQLiteConnection>
    private var writer: Slots<SQLiteConnection>
    private var fastReaders: Slots<SQLiteReader>
    private var closed = false

    /// Idle connections, how many are open, and who waits for one.
    struct Slots<Connection> {
        let size: Int
        var idle: [Connection] = []
        var open = 0
        var waiters: [CheckedContinuation<Connection, any Error>] = []
    }

    init(path: String, readers: Int, logger: Logger) {
        self.path = path
        self.logger = logger
        self.readers = Slots(size: readers)
        self.writer = Slots(size: 1)
        self.fastReaders = Slots(size: readers)
        self.threadPool = NIOThreadPool(numberOfThreads: readers + 1)
        threadPool.start()
    }

    func lease(write: Bool) async throws -> SQLiteConnection {
        if closed { throw StoreClosed() }
        if write {
            if let connection = writer.idle.popLast() { return connection }
            if writer.open < writer.size {
                writer.open += 1
                return try await connect(write: true)
            }
            return try await withCheckedThrowingContinuation { writer.waiters.append($0) }
        }
        if let connection = readers.idle.popLast() { return connection }
        if readers.open < readers.size {
            readers.open += 1
            return try await connect(write: false)
        }
        return try await withCheckedThrowingContinuation { readers.waiters.append($0) }
    }

    /// A reader for `BulkSession`, opened on first use.
    func leaseFastReader() async throws -> SQLiteReader {
        if closed { throw StoreClosed() }
        if let reader = fastReaders.idle.popLast() { return reader }
        guard fastReaders.open < fastReaders.size else {
            return try await withCheckedThrowingContinuation { fastReaders.waiters.append($0) }
        }
        fastReaders.open += 1
        do {
            let path = self.path
            return try await threadPool.runIfActive { try SQLiteReader(path: path, cacheKiB: Self.readerCacheKiB) }
        } catch {
            fastReaders.open -= 1
            if fastReaders.open == 0 {
                for waiter in fastReaders.waiters { waiter.resume(throwing: error) }
                fastReaders.waiters = []
            }
            throw error
        }
    }

    func release(_ reader: SQLiteReader) {
        if closed {
            reader.close()
        } else {
            Self.give(reader, to: &fastReaders)
        }
    }

    func release(_ connection: SQLiteConnection, write: Bool) async {
        if closed {
            try? await connection.close()
        } else if write {
            Self.give(connection, to: &writer)
        } else {
            Self.give(connection, to: &readers)
        }
    }

    /// Opening failed: free the slot, and when no connection of that kind is open, fail the requests
    /// waiting for one instead of leaving them waiting for a release that will not come.
    func failedToOpen(write: Bool, error: any Error) {
        func fail(_ slots: inout Slots<SQLiteConnection>) {
            slots.open -= 1
            guard slots.open == 0 else { return }
            for waiter in slots.waiters { waiter.resume(throwing: error) }
            slots.waiters = []
        }
        if write { fail(&writer) } else { fail(&readers) }
    }

    private static func give<Connection: Sendable>(_ connection: Connection, to slots: inout Slots<Connection>) {
        if slots.waiters.isEmpty {
            slots.idle.append(connection)
        } else {
            slots.waiters.removeFirst().resume(returning: connection)
        }
    }

    func close() async {
        guard !closed else { return }
        closed = true
        let waiting = readers.waiters + writer.waiters
        let idle = readers.idle + writer.idle
        readers.waiters = []
        writer.waiters = []
        readers.idle = []
        writer.idle = []
        for waiter in waiting { waiter.resume(throwing: StoreClosed()) }
        for connection in idle { try? await connection.close() }
        for waiter in fastReaders.waiters { waiter.resume(throwing: StoreClosed()) }
        for reader in fastReaders.idle { reader.close() }
        fastReaders.waiters = []
        fastReaders.idle = []
        try? await threadPool.shutdownGracefully()
    }

    /// Page cache per connection, in KiB: the writer's holds the index pages a large import keeps
    /// touching (search terms and addresses land all over their indexes).
    static let writerCacheKiB = 65_536
    static let readerCacheKiB = 8_192

    private func connect(write: Bool) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
        do {
            try await connection.query("PRAGMA busy_timeout = 10000", [], { _ in })
            // Switching to WAL needs a moment of exclusive access, which the busy handler does not cover.
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
            let cache = write ? Self.writerCacheKiB : Self.readerCacheKiB
            try await connection.query("PRAGMA cache_size = -\(cache)", [], { _ in })
            // Checkpoint every 32 MiB of log rather than 4: index pages a batch rewrites are copied once.
            if write { try await connection.query("PRAGMA wal_autocheckpoint = 8192", [], { _ in }) }
            return connection
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A query after `Store.close()`: a programming or shutdown-order error, answered as a 500.
struct StoreClosed: Error {}

/// The connection pools behind a store.
enum ConnectionSource: Sendable {
    case sqlite(SQLitePool)
    case postgres(PostgresClient)

    /// Runs `body` on one leased connection; `write` picks SQLite's single writer connection.
    func lease<R: Sendable>(write: Bool, _ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await leaseBulk(write: write, logger: Self.logger) { try await body($0.sql) }
    }

    static let logger = Logger(label: "rapport.store")
}

/// An `SQLDatabase` over the pools: each statement leases a connection (a reader for a plain SELECT,
/// the writer otherwise), and `withSession` pins the writer for a closure.
struct PooledSQLDatabase: SQLDatabase {
    let source: ConnectionSource
    let logger: Logger
    let eventLoop: any EventLoop
    let dialect: any SQLDialect
    /// Statements are not logged: their values include session ids and password hashes.
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await source.lease(write: !isPlainRead(query)) { database in try await database.execute(sql: query, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let box = SendableBox<R>()
        try await source.lease(write: true) { database in box.value = try await closure(database) }
        return box.value!
    }

    /// Only SQLite cares; a statement that starts with SELECT cannot write.
    private func isPlainRead(_ query: any SQLExpression) -> Bool {
        guard case .sqlite = source else { return true }
        let sql = serialize(query).sql
        return sql.prefix(7).uppercased() == "SELECT "
    }
}

/// Carries a closure's result out of a `@Sendable` callback that ran exactly once before it is read.
final class SendableBox<R>: @unchecked Sendable {
    var value: R?
}

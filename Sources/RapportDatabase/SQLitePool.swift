import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit

/// SQLite connections for one database file, in WAL mode with a busy timeout: one writer and a few
/// readers through SQLiteNIO (for SQLKit's reads), and as many `SQLiteHandle`s for the hot reads.
///
/// Every write in this process goes through the single writer connection, one lease at a time, so
/// writers queue here instead of sleeping in SQLite's busy handler. The writer is an `SQLiteHandle`
/// driven on its own thread: whoever leases it runs there (`writerExecutor`), so its statements run
/// one after another without crossing threads, and a busy wait or a checkpoint holds up that thread
/// only. Readers run in parallel (WAL) on the pool's own threads, never on NIO's.
actor SQLitePool {
    private let path: String
    private let logger: Logger
    let threadPool: NIOThreadPool
    /// The writer's thread, and the executor that runs a writer lease's work on it.
    private let writerThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    nonisolated let writerExecutor: EventLoopTaskExecutor
    private var readers: Slots<SQLiteConnection>
    /// The writer (`true`) and the hot-path readers (`false`).
    private var handles: [Bool: Slots<SQLiteHandle>]
    /// The writer's checkpoints, on a thread of their own.
    private let checkpointer: Checkpointer
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
        self.handles = [true: Slots(size: 1), false: Slots(size: readers)]
        self.threadPool = NIOThreadPool(numberOfThreads: readers + 1)
        self.writerExecutor = EventLoopTaskExecutor(writerThread.next())
        self.checkpointer = Checkpointer(path: path)
        threadPool.start()
    }

    /// The writer, or a reader for a `RowSession`, opened on first use.
    func leaseHandle(write: Bool) async throws -> SQLiteHandle {
        if closed { throw DatabaseClosed() }
        if let handle = handles[write]!.idle.popLast() { return handle }
        guard handles[write]!.open < handles[write]!.size else {
            return try await withCheckedThrowingContinuation { handles[write]!.waiters.append($0) }
        }
        handles[write]!.open += 1
        do {
            let path = self.path
            let checkpointer = write ? self.checkpointer : nil
            return try await threadPool.runIfActive {
                try SQLiteHandle(
                    path: path, cacheKiB: write ? Self.writerCacheKiB : Self.hotReaderCacheKiB, write: write,
                    checkpointer: checkpointer)
            }
        } catch {
            // (when none of its kind is open, those waiting would wait for a release that will not come)
            handles[write]!.open -= 1
            if handles[write]!.open == 0 {
                for waiter in handles[write]!.waiters { waiter.resume(throwing: error) }
                handles[write]!.waiters = []
            }
            throw error
        }
    }

    func release(_ handle: SQLiteHandle, write: Bool) {
        if closed {
            handle.close()
        } else {
            Self.give(handle, to: &handles[write]!)
        }
    }

    /// A reader through SQLiteNIO, for SQLKit.
    func leaseReader() async throws -> SQLiteConnection {
        if closed { throw DatabaseClosed() }
        if let connection = readers.idle.popLast() { return connection }
        if readers.open < readers.size {
            readers.open += 1
            return try await connect()
        }
        return try await withCheckedThrowingContinuation { readers.waiters.append($0) }
    }

    func releaseReader(_ connection: SQLiteConnection) async {
        if closed {
            try? await connection.close()
        } else {
            Self.give(connection, to: &readers)
        }
    }

    /// Opening a reader failed: free the slot, and when no reader is open, fail the requests waiting
    /// for one instead of leaving them waiting for a release that will not come.
    func failedToOpenReader(error: any Error) {
        readers.open -= 1
        guard readers.open == 0 else { return }
        for waiter in readers.waiters { waiter.resume(throwing: error) }
        readers.waiters = []
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
        let waiting = readers.waiters
        let idle = readers.idle
        readers.waiters = []
        readers.idle = []
        for waiter in waiting { waiter.resume(throwing: DatabaseClosed()) }
        for connection in idle { try? await connection.close() }
        for slots in handles.values {
            for waiter in slots.waiters { waiter.resume(throwing: DatabaseClosed()) }
            for handle in slots.idle { handle.close() }
        }
        handles = [true: Slots(size: 0), false: Slots(size: 0)]
        await checkpointer.close()
        try? await writerThread.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
    }

    /// Page cache per connection, in KiB: the writer's holds the index pages a large import keeps
    /// touching (search terms and addresses land all over their indexes).
    static let writerCacheKiB = 65_536
    /// The hot-path readers' (records by id, list pages, search): where the kernel keeps little
    /// of a large file cached (as on the benchmark machine), pages a reader does not hold are read from disk
    /// (at 1,000,000 contacts, 32 MiB instead of 8 took get by id from 15,200–15,600 to 18,300–18,800/s).
    static let hotReaderCacheKiB = 32_768
    /// SQLKit's readers' (everything else).
    static let readerCacheKiB = 8_192

    private func connect() async throws -> SQLiteConnection {
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
            try await connection.query("PRAGMA cache_size = -\(Self.readerCacheKiB)", [], { _ in })
            return connection
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

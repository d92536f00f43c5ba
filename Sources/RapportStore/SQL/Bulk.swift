import Foundation
import Logging
import NIOCore
import PostgresKit
import RapportCore
package import SQLKit
import SQLiteKit
import Synchronization

/// A column value on the fast path, bound and read by the drivers directly: SQLKit's Codable layer
/// costs microseconds per value, which a million-row import or export cannot afford.
package enum DBValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)
    case double(Double)

    package init(_ text: String?) {
        self = text.map(DBValue.text) ?? .null
    }

    package init(_ number: Int64?) {
        self = number.map(DBValue.int) ?? .null
    }

    package var text: String? {
        switch self {
        case .text(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .null: nil
        }
    }

    package var int: Int64? {
        switch self {
        case .int(let number): number
        case .double(let number): Int64(exactly: number)
        case .text(let text): Int64(text)
        case .null: nil
        }
    }
}

/// One leased connection with statements that skip SQLKit: multi-row inserts and reads of plain rows.
/// SQL is written with `?` placeholders; on PostgreSQL they become `$1`, `$2`, ….
package struct BulkSession: Sendable {
    enum Connection: Sendable {
        case sqlite(SQLiteConnection)
        /// A connection through SQLite's C API (the writer or a reader), run on the pool's threads
        /// (or, without one, on the caller's).
        case sqliteHandle(SQLiteHandle, NIOThreadPool?)
        case postgres(PostgresConnection, Logger)
    }

    let connection: Connection
    /// The same connection through SQLKit, for the statements that are not on the hot path.
    package let sql: any SQLDatabase

    package var kind: DatabaseKind {
        switch connection {
        case .sqlite, .sqliteHandle: .sqlite
        case .postgres: .postgres
        }
    }

    /// The most values one statement binds (PostgreSQL allows 65,535; SQLite as compiled here, 250,000).
    static let maximumBinds = 30_000

    /// Inserts rows, as many per statement as the bind limit allows.
    /// - Parameter suffix: appended to each statement, such as `ON CONFLICT DO NOTHING`.
    package func insert(into table: String, columns: [String], rows: [[DBValue]], suffix: String = "") async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, Self.maximumBinds / columns.count)
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            let sql = head + Array(repeating: tuple, count: end - start).joined(separator: ",") + " " + suffix
            try await run(sql, Array(rows[start..<end].joined()))
            start = end
        }
    }

    /// Runs a statement that returns no rows.
    package func run(_ sql: String, _ binds: [DBValue]) async throws {
        try await rows(sql, binds) { _ in }
    }

    /// The rows of a query, each as its column values in SELECT order.
    package func rows(_ sql: String, _ binds: [DBValue]) async throws -> [[DBValue]] {
        let box = RowBox()
        try await rows(sql, binds) { box.rows.append($0) }
        return box.rows
    }

    /// The rows of a query built with SQLKit (its placeholders already in the dialect's form).
    package func rows(_ query: any SQLExpression) async throws -> [[DBValue]] {
        let (sql, binds) = self.sql.serialize(query)
        let values = try binds.map { bind -> DBValue in
            switch bind {
            case let text as String: return .text(text)
            case let number as Int64: return .int(number)
            case let number as Int: return .int(Int64(number))
            case let number as Double: return .double(number)
            case let flag as Bool: return .int(flag ? 1 : 0)
            case let text as String?: return DBValue(text)
            case let number as Int64?: return DBValue(number)
            case let number as Double?: return number.map(DBValue.double) ?? .null
            default: throw UnsupportedBind(type: "\(type(of: bind))")
            }
        }
        let box = RowBox()
        try await rows(sql, values, renumber: false) { box.rows.append($0) }
        return box.rows
    }

    struct UnsupportedBind: Error {
        let type: String
    }

    /// Calls `body` with each row of a query, on whatever thread the driver delivers it.
    /// - Parameter renumber: whether `?` placeholders become `$n` on PostgreSQL.
    package func rows(
        _ sql: String, _ binds: [DBValue], renumber: Bool = true, _ body: @escaping @Sendable ([DBValue]) -> Void
    ) async throws {
        switch connection {
        case .sqliteHandle(let reader, let threadPool?):
            try await threadPool.runIfActive { try reader.query(sql, binds, body) }
        case .sqliteHandle(let reader, nil):
            try reader.query(sql, binds, body)
        case .sqlite(let connection):
            let data = binds.map { value -> SQLiteData in
                switch value {
                case .null: .null
                case .int(let number): .integer(Int(number))
                case .text(let text): .text(text)
                case .double(let number): .float(number)
                }
            }
            try await connection.query(sql, data) { row in
                body(
                    row.columns.map { column in
                        switch column.data {
                        case .integer(let number): .int(Int64(number))
                        case .float(let number): .double(number)
                        case .text(let text): .text(text)
                        case .blob(let buffer): .text(String(buffer: buffer))
                        case .null: .null
                        }
                    })
            }
        case .postgres(let connection, let logger):
            var bindings = PostgresBindings(capacity: binds.count)
            for value in binds {
                switch value {
                case .null: bindings.appendNull()
                case .int(let number): bindings.append(number)
                case .text(let text): bindings.append(text)
                case .double(let number): bindings.append(number)
                }
            }
            let query = PostgresQuery(unsafeSQL: renumber ? Self.numbered(sql) : sql, binds: bindings)
            let rows = try await connection.query(query, logger: logger)
            for try await row in rows {
                var values: [DBValue] = []
                for cell in row {
                    values.append(try Self.value(cell))
                }
                body(values)
            }
        }
    }

    /// Calls `body` with each row's cells; on SQLite's fast connections text is read in place, without
    /// a `String` per value (exports).
    package func scan(_ sql: String, _ binds: [DBValue], _ body: @escaping @Sendable (RowCells) -> Void) async throws {
        switch connection {
        case .sqliteHandle(let reader, let threadPool?):
            try await threadPool.runIfActive { try reader.scan(sql, binds, body) }
        case .sqliteHandle(let reader, nil):
            try reader.scan(sql, binds, body)
        default:
            try await rows(sql, binds) { body(.values($0)) }
        }
    }

    static func value(_ cell: PostgresCell) throws -> DBValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .float8, .float4, .numeric: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// `?` placeholders as PostgreSQL's `$n` (the SQL given here has no `?` inside literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + sql.utf8.count / 2)
        var number = 0
        for character in sql.unicodeScalars {
            if character == "?" {
                number += 1
                out += "$\(number)"
            } else {
                out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// `?, ?, ?` for `count` values.
    package static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

/// Collects rows delivered by a driver callback that runs before the query's await returns.
final class RowBox: @unchecked Sendable {
    var rows: [[DBValue]] = []
}

/// SQLite's write transactions, grouped: those that arrive while one runs go together into the next
/// one and share its commit (one write of the log instead of one per transaction). Each still commits
/// or fails on its own terms, and none is answered before the commit that holds it: when one fails,
/// the group is rolled back, that one is answered with its error, and the others run again, each
/// inside its own savepoint, so that a later failure rolls back its savepoint only. (A transaction's
/// body only reads and writes the database, so running it again on the same state does the same.)
final class GroupCommit: Sendable {
    struct Job: Sendable {
        /// Runs the transaction's body; its error, if it failed.
        let run: @Sendable (BulkSession) async -> (any Error)?
        /// Answers the caller once the outcome is durable (or failed).
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// The most transactions one commit holds.
    static let groupSize = 64
    private let state = Mutex<(waiting: [Job], leading: Bool)>(([], false))

    /// Queues a job; true when no group is running, so the caller must start one.
    func submit(_ job: Job) -> Bool {
        state.withLock { state in
            state.waiting.append(job)
            if state.leading { return false }
            state.leading = true
            return true
        }
    }

    /// The next group; empty (and no longer leading) when nothing waits.
    func next() -> [Job] {
        state.withLock { state in
            let group = Array(state.waiting.prefix(Self.groupSize))
            state.waiting.removeFirst(group.count)
            if group.isEmpty { state.leading = false }
            return group
        }
    }
}

extension Store {
    /// Runs `body` in one transaction on one connection, with the fast statements of `BulkSession`.
    /// On SQLite, transactions that arrive together share a commit (`GroupCommit`).
    package func bulkTransaction<R: Sendable>(_ body: @escaping @Sendable (BulkSession) async throws -> R)
        async throws -> R
    {
        guard kind == .sqlite else { return try await transactionAlone(body) }
        let result = SendableBox<R>()
        let answered = Mutex(false)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let job = GroupCommit.Job(
                run: { session in
                    do {
                        result.value = try await body(session)
                        return nil
                    } catch {
                        return error
                    }
                },
                finish: { error in
                    // (once: a job that failed on its own is not answered again if the commit fails)
                    let first = answered.withLock { done in
                        if done { return false }
                        done = true
                        return true
                    }
                    guard first else { return }
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                })
            if groupCommit.submit(job) { Task { await self.commitGroups() } }
        }
        return result.value!
    }

    /// Runs the waiting groups of transactions until none waits.
    private func commitGroups() async {
        while true {
            let group = groupCommit.next()
            if group.isEmpty { return }
            do {
                try await source.leaseBulk(write: true, logger: logger) { session in
                    // First all together, without a savepoint each: no page is journalled per job, and FTS5
                    // does not flush its pending terms at each job's savepoint.
                    var group = group
                    try await session.run(kind.beginTransaction, [])
                    var failed: Int?
                    for (index, job) in group.enumerated() {
                        if let error = await job.run(session) {
                            // It failed after those before it: so it would again. The others start over,
                            // each in a savepoint, as below.
                            try? await session.run("ROLLBACK", [])
                            job.finish(error)
                            failed = index
                            break
                        }
                    }
                    if failed == nil {
                        do {
                            try await session.run("COMMIT", [])
                        } catch {
                            try? await session.run("ROLLBACK", [])
                            throw error
                        }
                        for job in group { job.finish(nil) }
                        return
                    }
                    group.remove(at: failed!)
                    guard !group.isEmpty else { return }
                    try await session.run(kind.beginTransaction, [])
                    do {
                        var succeeded: [GroupCommit.Job] = []
                        for job in group {
                            try await session.run("SAVEPOINT job", [])
                            if let error = await job.run(session) {
                                try await session.run("ROLLBACK TO job", [])
                                try await session.run("RELEASE job", [])
                                job.finish(error)
                            } else {
                                try await session.run("RELEASE job", [])
                                succeeded.append(job)
                            }
                        }
                        try await session.run("COMMIT", [])
                        for job in succeeded { job.finish(nil) }
                    } catch {
                        try? await session.run("ROLLBACK", [])
                        throw error
                    }
                }
            } catch {
                // (those that failed on their own were answered already; the rest share this failure)
                for job in group { job.finish(error) }
            }
        }
    }

    /// One transaction on its own connection (PostgreSQL).
    private func transactionAlone<R: Sendable>(_ body: @Sendable (BulkSession) async throws -> R) async throws -> R {
        try await source.leaseBulk(write: true, logger: logger) { session in
            try await session.run(kind.beginTransaction, [])
            do {
                let result = try await body(session)
                try await session.run("COMMIT", [])
                return result
            } catch {
                try? await session.run("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Runs `body` on a reading connection (on SQLite, one of the readers; nothing may be written).
    /// - Parameter inline: on SQLite, run the statements on the calling thread instead of handing each
    ///   to the pool's threads and back. Only for statements that take microseconds, such as a lookup
    ///   by primary key: a long one would hold up the caller's thread.
    package func bulkRead<R: Sendable>(inline: Bool = false, _ body: @Sendable (BulkSession) async throws -> R)
        async throws -> R
    {
        try await source.leaseBulk(write: false, fast: true, inline: inline, logger: logger, body)
    }
}

extension ConnectionSource {
    /// - Parameter fast: on SQLite, whether a read gets an `SQLiteHandle` (whose session's `sql` is
    ///   the pooled database) rather than an SQLiteNIO connection. Writes always get the writer's.
    func leaseBulk<R: Sendable>(
        write: Bool, fast: Bool = false, inline: Bool = false, logger: Logger,
        _ body: @Sendable (BulkSession) async throws -> R
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
            let session = BulkSession(
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
            } catch let error as StoreClosed {
                throw error
            } catch {
                await pool.failedToOpenReader(error: error)
                throw error
            }
            let session = BulkSession(connection: .sqlite(connection), sql: connection.sql(queryLogLevel: nil))
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
                    BulkSession(connection: .postgres(connection, logger), sql: connection.sql(queryLogLevel: nil)))
            }
        }
    }
}

import Logging
import NIOCore
import SQLKit

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

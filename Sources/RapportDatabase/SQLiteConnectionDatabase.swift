import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// SQLKit over an `SQLiteHandle` connection (the store's writer): statements built with SQLKit run
/// on the calling thread, with the connection's kept statements, and values are encoded and decoded
/// as SQLiteKit does.
struct SQLiteConnectionDatabase: SQLDatabase {
    let connection: SQLiteHandle
    let logger: Logger
    let eventLoop: any EventLoop
    var dialect: any SQLDialect { SQLiteDialect() }
    /// Statements are not logged: their values include session ids and password hashes.
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        eventLoop.makeCompletedFuture { try run(query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let encoder = SQLiteDataEncoder()
        let values = try binds.map { bind -> DBValue in
            switch try encoder.encode(bind) {
            case .integer(let number): .int(Int64(number))
            case .float(let number): .double(number)
            case .text(let text): .text(text)
            case .null: .null
            case .blob: throw RowSession.UnsupportedBind(type: "\(type(of: bind))")
            }
        }
        try connection.query(sql, values) { names, row in onRow(SQLiteValuesRow(columns: names(), values: row)) }
    }
}

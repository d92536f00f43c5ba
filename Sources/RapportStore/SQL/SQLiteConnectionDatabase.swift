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
            case .blob: throw BulkSession.UnsupportedBind(type: "\(type(of: bind))")
            }
        }
        try connection.query(sql, values) { names, row in onRow(SQLiteValuesRow(columns: names(), values: row)) }
    }
}

/// A row of an `SQLiteConnectionDatabase` statement, decoded as SQLiteKit decodes its own rows.
struct SQLiteValuesRow: SQLRow {
    let columns: [String]
    let values: [DBValue]

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        try value(column) == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        let data: SQLiteData =
            switch try value(column) {
            case .null: .null
            case .int(let number): .integer(Int(number))
            case .double(let number): .float(number)
            case .text(let text): .text(text)
            }
        return try SQLiteDataDecoder().decode(D.self, from: data)
    }

    private func value(_ column: String) throws -> DBValue {
        guard let index = columns.firstIndex(of: column) else {
            throw DecodingError.valueNotFound(
                DBValue.self, .init(codingPath: [], debugDescription: "No column \(column)."))
        }
        return values[index]
    }
}

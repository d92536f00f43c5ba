import SQLKit
import SQLiteKit

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

/// A column value on the fast path, bound and read by the drivers directly: SQLKit's Codable layer
/// costs microseconds per value, which a million-row import or export cannot afford. (Its accessors are
/// inlinable: the store reads every value of every row through them, from another module.)
package enum DBValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)
    case double(Double)

    @inlinable
    package init(_ text: String?) {
        self = text.map(DBValue.text) ?? .null
    }

    @inlinable
    package init(_ number: Int64?) {
        self = number.map(DBValue.int) ?? .null
    }

    @inlinable
    package var text: String? {
        switch self {
        case .text(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .null: nil
        }
    }

    @inlinable
    package var int: Int64? {
        switch self {
        case .int(let number): number
        case .double(let number): Int64(exactly: number)
        case .text(let text): Int64(text)
        case .null: nil
        }
    }
}

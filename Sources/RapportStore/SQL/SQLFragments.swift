import Foundation
import RapportCore
import RapportDatabase
import SQLKit

/// The SQL for filters, sort keys and stored values of contacts and companies. The two databases
/// read JSON differently (SQLite's `json_extract`/`json_each`, PostgreSQL's `jsonb` operators); each
/// such difference is a function in `SQLDialect+Rapport.swift`, so both answer the same.
struct SQLFragments {
    let kind: DatabaseKind

    // MARK: Expressions

    /// The expression a list is ordered by; never null, so that keyset paging can compare it.
    func sortKey(_ target: ListQuery.Target) -> SQLQueryString {
        switch target {
        case .time(let name):
            return "\(ident: name)"
        case .standard(let name, let kind):
            switch kind {
            case .count, .money, .timestamp, .dateTime, .boolean: return "COALESCE(\(ident: name), -1)"
            default: return "COALESCE(\(ident: name), '')"
            }
        case .custom(let key, let type):
            switch type {
            case .number: return "COALESCE(\(kind.customNumber(key)), -1e300)"
            case .boolean: return "COALESCE(\(kind.customFlag(key)), -1)"
            default: return "COALESCE(\(kind.customText(key)), '')"
            }
        }
    }

    func bind(_ value: JSONValue) -> SQLQueryString {
        switch value {
        case .string(let text): "\(bind: text)"
        case .number(let number) where number.rounded() == number && abs(number) < 9e15: "\(bind: Int64(number))"
        case .number(let number): "\(bind: number)"
        case .bool(let flag): "\(bind: flag ? 1 : 0)"
        default: "NULL"
        }
    }

    /// A key decoded from the `sort_key` column of a row.
    static func sortValue(_ row: any SQLRow, target: ListQuery.Target) throws -> JSONValue {
        switch target {
        case .time: return .number(Double(try row.decode(column: "sort_key", as: Int64.self)))
        case .standard(_, let kind) where kind.isInteger:
            return .number(Double(try row.decode(column: "sort_key", as: Int64.self)))
        case .custom(_, .number): return .number(try row.decode(column: "sort_key", as: Double.self))
        case .custom(_, .boolean): return .number(Double(try row.decode(column: "sort_key", as: Int64.self)))
        default:
            if let text = try? row.decode(column: "sort_key", as: String.self) { return .string(text) }
            return .number(try row.decode(column: "sort_key", as: Double.self))
        }
    }

    /// `sortValue` for a row read on the fast path.
    static func sortValue(_ key: DBValue, target: ListQuery.Target) -> JSONValue {
        switch (target, key) {
        case (.custom(_, .number), .int(let number)): return .number(Double(number))
        case (_, .int(let number)): return .number(Double(number))
        case (_, .double(let number)): return .number(number)
        case (_, .text(let text)):
            if case .custom(_, .number) = target { return .number(Double(text) ?? 0) }
            return .string(text)
        case (_, .null): return .null
        }
    }

    // MARK: Filters

    /// One checked filter as a condition.
    func condition(_ filter: ListQuery.Filter) -> SQLQueryString {
        let op = filter.op
        if op == .empty {
            let wantEmpty = filter.value == .bool(true)
            let test: SQLQueryString
            switch filter.target {
            case .time(let name): test = "\(ident: name) IS NULL"
            case .standard(let name, let kind):
                switch kind {
                case .tags, .emailList, .phones: test = "\(ident: name) = '[]'"
                case .stringMap: test = "\(ident: name) = '{}'"
                default: test = "\(ident: name) IS NULL"
                }
            case .custom(let key, _): test = "\(kind.customText(key)) IS NULL"
            }
            return wantEmpty ? test : "NOT (\(test))"
        }
        let comparison: String =
            switch op {
            case .gte: ">="
            case .lte: "<="
            default: "="
            }
        switch filter.target {
        case .time(let name):
            return "\(ident: name) \(unsafeRaw: comparison) \(bind(filter.value))"
        case .standard(let name, let kind):
            switch (kind, op) {
            case (.tags, _), (.emailList, _):
                return elementOf(column: "\(ident: name)", filter.value)
            case (_, .contains):
                return substring(of: "\(ident: name)", filter.value)
            default:
                return "\(ident: name) \(unsafeRaw: comparison) \(bind(filter.value))"
            }
        case .custom(let key, let type):
            switch (type, op) {
            case (.multi_select, _):
                return kind.customListContains(key, bind(filter.value))
            case (_, .contains):
                return substring(of: kind.customText(key), filter.value)
            case (.number, _):
                return "\(kind.customNumber(key)) \(unsafeRaw: comparison) \(bind(filter.value))"
            case (.boolean, _):
                return "\(kind.customFlag(key)) = \(bind(filter.value))"
            default:
                return "\(kind.customText(key)) \(unsafeRaw: comparison) \(bind(filter.value))"
            }
        }
    }

    /// Case-insensitive (for ASCII letters on both databases) substring match.
    func substring(of expression: SQLQueryString, _ value: JSONValue) -> SQLQueryString {
        guard case .string(let text) = value else { return "1 = 0" }
        return kind.containsLowercased(expression, Self.asciiLowercased(text))
    }

    /// Lower-cases A-Z only, as both databases' `lower()` does here.
    static func asciiLowercased(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
    }

    /// Whether a JSON array column holds the value.
    func elementOf(column: SQLQueryString, _ value: JSONValue) -> SQLQueryString {
        kind.listContains(column: column, bind(value))
    }

    // MARK: Stored values

    /// The bind for a field value in its column.
    static func stored(_ value: JSONValue, kind: FieldKind) throws -> any Encodable & Sendable {
        switch storedValue(value, kind: kind) {
        case .text(let text): return text
        case .int(let number): return number
        case .double(let number): return number
        // A typed null, so that PostgreSQL knows the parameter's type.
        case .null: return kind.isInteger ? Int64?.none : String?.none
        }
    }

    /// A column's value as the record holds it.
    static func value(_ row: any SQLRow, column: String, kind: FieldKind) throws -> JSONValue {
        if kind.isStructured {
            return try JSONText.decode(try row.decode(column: column, as: String.self))
        }
        switch kind {
        case .count, .money:
            return try row.decode(column: column, as: Int64?.self).map { .number(Double($0)) } ?? .null
        case .timestamp, .dateTime:
            return try row.decode(column: column, as: Int64?.self).map { .string(Timestamp.rfc3339($0)) } ?? .null
        case .boolean:
            return try row.decode(column: column, as: Int64?.self).map { .bool($0 != 0) } ?? .null
        default:
            return try row.decode(column: column, as: String?.self).map(JSONValue.string) ?? .null
        }
    }

    /// A field value as the fast path binds it.
    package static func storedValue(_ value: JSONValue, kind: FieldKind) -> DBValue {
        if kind.isStructured { return .text(JSONText.encode(value == .null ? kind.emptyValue : value)) }
        switch (kind, value) {
        case (.count, .number(let number)), (.money, .number(let number)): return .int(Int64(number))
        case (.timestamp, .string(let text)), (.dateTime, .string(let text)):
            return DBValue(Timestamp.parse(text).map { Timestamp.micros($0) })
        case (.boolean, .bool(let flag)): return .int(flag ? 1 : 0)
        case (.count, _), (.money, _), (.timestamp, _), (.dateTime, _), (.boolean, _): return .null
        case (_, .string(let text)): return .text(text)
        default: return .null
        }
    }

    /// A column value read on the fast path, as the record holds it.
    package static func value(_ stored: DBValue, kind: FieldKind) throws -> JSONValue {
        if kind.isStructured { return try JSONText.decode(stored.text ?? "null") }
        switch kind {
        case .count, .money: return stored.int.map { .number(Double($0)) } ?? .null
        case .timestamp, .dateTime: return stored.int.map { .string(Timestamp.rfc3339($0)) } ?? .null
        case .boolean: return stored.int.map { .bool($0 != 0) } ?? .null
        default: return stored.text.map(JSONValue.string) ?? .null
        }
    }
}

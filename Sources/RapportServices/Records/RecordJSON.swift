import Foundation
package import RapportCore
package import RapportDatabase
package import RapportStore

/// A contact or company as the API shows it: `id`, then every standard field in schema order (`null`
/// when absent), `custom`, `created_at`, `updated_at`.
package struct RecordBody: Encodable, Sendable, JSONRepresentable {
    package let record: Record
    package let schema: ObjectType
    /// Fields the reader's role keeps hidden (`email`, `custom.budget`): left out of the object.
    package let hidden: Set<String>

    package init(record: Record, schema: ObjectType, hidden: Set<String> = []) {
        self.record = record
        self.schema = schema
        self.hidden = hidden
    }

    /// The custom values the reader may see.
    var visibleCustom: [String: JSONValue] {
        hidden.isEmpty ? record.custom : record.custom.filter { !hidden.contains("custom.\($0.key)") }
    }

    package struct Key: CodingKey {
        package var stringValue: String
        package var intValue: Int? { nil }
        package init(_ string: String) { stringValue = string }
        package init?(stringValue: String) { self.stringValue = stringValue }
        package init?(intValue: Int) { nil }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(record.id, forKey: Key("id"))
        for field in schema.fields where !hidden.contains(field.name) {
            try container.encode(Self.presented(record[field.name], kind: field.kind), forKey: Key(field.name))
        }
        try container.encode(JSONValue.object(visibleCustom), forKey: Key("custom"))
        try container.encode(Timestamp.rfc3339(record.createdAt), forKey: Key("created_at"))
        try container.encode(Timestamp.rfc3339(record.updatedAt), forKey: Key("updated_at"))
    }

    /// The same members as `encode(to:)`, written straight to text.
    package func writeJSON(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for member in Self.members(schema) {
            if case .field(let name) = member.kind, hidden.contains(name) { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: member.key)
            switch member.kind {
            case .id: JSONText.writeString(record.id, to: &out)
            case .field(let name): JSONText.write(record[name], to: &out)
            case .custom: JSONText.write(.object(visibleCustom), to: &out)
            case .createdAt: JSONText.writeString(Timestamp.rfc3339(record.createdAt), to: &out)
            case .updatedAt: JSONText.writeString(Timestamp.rfc3339(record.updatedAt), to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A member of the object: its key as text (`"name":`) and where its value comes from.
    struct Member: Sendable {
        enum Kind: Sendable {
            case id, field(String), custom, createdAt, updatedAt
        }
        /// `"name":` as UTF-8.
        let key: [UInt8]
        let kind: Kind
    }

    /// The members of a record of each kind, in key order.
    static let memberOrder: [String: [Member]] = Dictionary(
        uniqueKeysWithValues: ObjectCatalog.all.map { ($0.name, members(of: $0)) })

    static func members(_ schema: ObjectType) -> [Member] {
        memberOrder[schema.name] ?? members(of: schema)
    }

    static func members(of schema: ObjectType) -> [Member] {
        let kinds: [(String, Member.Kind)] =
            [("id", .id), ("custom", .custom), ("created_at", .createdAt), ("updated_at", .updatedAt)]
            + schema.fields.map { ($0.name, .field($0.name)) }
        return kinds.sorted { $0.0 < $1.0 }.map { name, kind in
            var key: [UInt8] = []
            JSONText.writeString(name, to: &key)
            return Member(key: key + [UInt8(ascii: ":")], kind: kind)
        }
    }

    /// Counts are integers on the wire.
    static func presented(_ value: JSONValue, kind: FieldKind) -> IntegerPreservingJSON {
        IntegerPreservingJSON(value: value)
    }
}

/// A record written straight from its stored row (`RecordRepository.columns` order): the same bytes as
/// `RecordBody` of the record the row holds, without building the record. Lists and reads by id, the
/// hot answers, skip a dictionary per record and parsing its JSON columns: those are stored as
/// `JSONText` writes them (keys sorted, compact), so they are copied as they are.
package struct StoredRecordBody: Encodable, Sendable, JSONRepresentable {
    package let row: [DBValue]
    package let repository: RecordRepository
    /// Fields the reader's role keeps hidden: such a body is written through `RecordBody`.
    package let hidden: Set<String>

    package init(row: [DBValue], repository: RecordRepository, hidden: Set<String> = []) {
        self.row = row
        self.repository = repository
        self.hidden = hidden
    }

    /// Where each member of the object comes from, in key order.
    enum Source: Sendable {
        case text(Int), structured(Int), count(Int), timestamp(Int), flag(Int)
    }

    struct Plan: Sendable {
        /// `"name":` as UTF-8, and the member's column.
        let members: [(key: [UInt8], source: Source)]
    }

    static let plans: [String: Plan] = Dictionary(
        uniqueKeysWithValues: ObjectCatalog.all.map { ($0.name, plan(of: $0)) })

    static func plan(of schema: ObjectType) -> Plan {
        let tail = schema.fields.count + 2
        let members = RecordBody.members(of: schema)
        let sources = members.map { member -> Source in
            switch member.kind {
            case .id: return .text(1)
            case .custom: return .structured(tail)
            case .createdAt: return .timestamp(tail + 2)
            case .updatedAt: return .timestamp(tail + 3)
            case .field(let name):
                let index = schema.fields.firstIndex { $0.name == name }! + 2
                let kind = schema.fields[index - 2].kind
                if kind.isStructured { return .structured(index) }
                if kind == .count { return .count(index) }
                if case .money = kind { return .count(index) }
                if kind.isMoment { return .timestamp(index) }
                if kind == .boolean { return .flag(index) }
                return .text(index)
            }
        }
        return Plan(members: zip(members, sources).map { ($0.key, $1) })
    }

    package func writeJSON(to out: inout [UInt8]) {
        let schema = repository.schema
        if !hidden.isEmpty, let record = try? repository.record(values: row) {
            RecordBody(record: record, schema: schema, hidden: hidden).writeJSON(to: &out)
            return
        }
        let plan = Self.plans[schema.name] ?? Self.plan(of: schema)
        out.append(UInt8(ascii: "{"))
        for (index, member) in plan.members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: member.key)
            switch member.source {
            case .text(let column):
                if let text = row[column].text { JSONText.writeString(text, to: &out) } else { Self.writeNull(&out) }
            case .structured(let column):
                if case .text(let text) = row[column] {
                    out.append(contentsOf: text.utf8)
                } else {
                    Self.writeNull(&out)
                }
            case .count(let column):
                if let number = row[column].int {
                    out.append(contentsOf: JSONText.numberText(Double(number)).utf8)
                } else {
                    Self.writeNull(&out)
                }
            case .flag(let column):
                if let number = row[column].int {
                    out.append(contentsOf: (number != 0 ? "true" : "false").utf8)
                } else {
                    Self.writeNull(&out)
                }
            case .timestamp(let column):
                if let micros = row[column].int {
                    JSONText.writeString(Timestamp.rfc3339(micros), to: &out)
                } else {
                    Self.writeNull(&out)
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    package var id: String { row[1].text ?? "" }
    package var version: Int64 { row[repository.schema.fields.count + 3].int ?? 1 }

    static func writeNull(_ out: inout [UInt8]) { out.append(contentsOf: "null".utf8) }

    package func encode(to encoder: any Encoder) throws {
        try RecordBody(record: repository.record(values: row), schema: repository.schema, hidden: hidden).encode(
            to: encoder)
    }
}

/// Encodes whole numbers without a fraction (`12`, not `12.0`).
package struct IntegerPreservingJSON: Encodable {
    package let value: JSONValue

    package init(value: JSONValue) {
        self.value = value
    }

    package func encode(to encoder: any Encoder) throws {
        switch value {
        case .number(let number) where number.rounded() == number && abs(number) < 9e15:
            var container = encoder.singleValueContainer()
            try container.encode(Int64(number))
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(IntegerPreservingJSON(value: item)) }
        case .object(let members):
            var container = encoder.container(keyedBy: RecordBody.Key.self)
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                try container.encode(IntegerPreservingJSON(value: member), forKey: RecordBody.Key(key))
            }
        default:
            try value.encode(to: encoder)
        }
    }
}

import Foundation

/// A contact or a company: its standard field values by name (JSON values, `null` when absent), its
/// custom field values, and bookkeeping. One generic shape keeps validation, storage, filters, merge
/// and audit written once for both objects.
package struct Record: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    package var values: [String: JSONValue]
    package var custom: [String: JSONValue]
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64

    package init(
        id: String, workspaceID: String, values: [String: JSONValue], custom: [String: JSONValue], version: Int64,
        createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.values = values
        self.custom = custom
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A new, empty record of a schema.
    package static func empty(_ schema: ObjectType, workspaceID: String, now: Int64) -> Record {
        var values: [String: JSONValue] = [:]
        for field in schema.fields { values[field.name] = field.defaultValue ?? field.kind.emptyValue }
        return Record(
            id: RecordID.make(), workspaceID: workspaceID, values: values, custom: [:], version: 1, createdAt: now,
            updatedAt: now)
    }

    package subscript(_ name: String) -> JSONValue { values[name] ?? .null }

    /// A string field's value.
    package func string(_ name: String) -> String? {
        if case .string(let text) = self[name] { return text }
        return nil
    }

    /// A string-array field's value.
    package func strings(_ name: String) -> [String] {
        if case .array(let items) = self[name] {
            return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        }
        return []
    }

    /// Every address of a contact: the primary first, then the additional ones.
    package var allEmails: [String] {
        (string("email").map { [$0] } ?? []) + strings("additional_emails")
    }
}

/// One changed field, for `updated` events and the audit log.
package struct FieldChange: Sendable, Equatable, Codable {
    package var field: String
    package var old: JSONValue
    package var new: JSONValue

    package init(field: String, old: JSONValue, new: JSONValue) {
        self.field = field
        self.old = old
        self.new = new
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(old, forKey: .old)
        try container.encode(new, forKey: .new)
    }

    /// Every standard and custom field that differs between two versions of a record.
    package static func between(_ before: Record, _ after: Record, schema: ObjectType) -> [FieldChange] {
        var changes: [FieldChange] = []
        for field in schema.fields where before[field.name] != after[field.name] {
            changes.append(FieldChange(field: field.name, old: before[field.name], new: after[field.name]))
        }
        for key in Set(before.custom.keys).union(after.custom.keys).sorted()
        where (before.custom[key] ?? .null) != (after.custom[key] ?? .null) {
            changes.append(
                FieldChange(field: "custom.\(key)", old: before.custom[key] ?? .null, new: after.custom[key] ?? .null))
        }
        return changes
    }
}

import Foundation
package import RapportCore
import RapportDatabase
package import SQLKit

/// A workspace's custom field definitions.
package struct CustomFieldRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = "id, workspace_id, object, field_key, label, field_type, options, created_at"

    /// The definitions of one object (or of both), in the order they were made.
    package func all(workspaceID: String, object: String? = nil, on database: (any SQLDatabase)? = nil) async throws
        -> [CustomFieldDefinition]
    {
        guard let database else {
            // Outside a transaction (every create, read and list asks): a kept statement on a reader.
            let sql =
                "SELECT \(Self.columns) FROM custom_fields WHERE workspace_id = ?"
                + (object == nil ? "" : " AND object = ?") + " ORDER BY position, created_at, id"
            let binds = [DBValue.text(workspaceID)] + (object.map { [DBValue.text($0)] } ?? [])
            return try await store.readRows(inline: true) { try await $0.rows(sql, binds) }.map(
                Self.definition(values:))
        }
        var sql: SQLQueryString =
            "SELECT \(unsafeRaw: Self.columns) FROM custom_fields WHERE workspace_id = \(bind: workspaceID)"
        if let object { sql = sql + " AND object = \(bind: object)" }
        sql = sql + " ORDER BY position, created_at, id"
        return try await database.raw(sql).all().map(Self.definition(from:))
    }

    package func find(workspaceID: String, id: String) async throws -> CustomFieldDefinition? {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await store.database.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM custom_fields WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first().map(Self.definition(from:))
    }

    /// The definition, or `notFound` (also for another workspace's id).
    package func require(workspaceID: String, id: String) async throws -> CustomFieldDefinition {
        guard let definition = try await find(workspaceID: workspaceID, id: id) else {
            throw RapportError.notFound("The custom field")
        }
        return definition
    }

    /// - Throws: `conflict` when the object already has a field with this key.
    package func create(_ definition: CustomFieldDefinition) async throws {
        do {
            try await store.database.raw(
                """
                INSERT INTO custom_fields (workspace_id, id, object, field_key, label, field_type, options, created_at)
                VALUES (\(bind: definition.workspaceID), \(bind: definition.id), \(bind: definition.object), \(bind: definition.key),
                        \(bind: definition.label), \(bind: definition.type.rawValue),
                        \(bind: JSONText.encode(.array(definition.options.map(JSONValue.string)))), \(bind: definition.createdAt))
                """
            ).run()
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(
                .conflict, "The \(definition.object) already have a custom field \"\(definition.key)\".",
                fields: [FieldIssue("key", "This key is already used.")])
        }
    }

    package func update(_ definition: CustomFieldDefinition) async throws {
        try await store.database.raw(
            """
            UPDATE custom_fields SET label = \(bind: definition.label),
                options = \(bind: JSONText.encode(.array(definition.options.map(JSONValue.string))))
            WHERE workspace_id = \(bind: definition.workspaceID) AND id = \(bind: definition.id)
            """
        ).run()
    }

    /// Moves a definition one place earlier (`by: -1`) or later among its object's, renumbering them all.
    package func move(_ definition: CustomFieldDefinition, by step: Int) async throws {
        try await store.transaction { database in
            var ids = try await database.raw(
                """
                SELECT id FROM custom_fields WHERE workspace_id = \(bind: definition.workspaceID) AND object = \(bind: definition.object)
                ORDER BY position, created_at, id
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            guard let index = ids.firstIndex(of: definition.id), ids.indices.contains(index + step) else { return }
            ids.swapAt(index, index + step)
            for (position, id) in ids.enumerated() {
                try await database.raw(
                    "UPDATE custom_fields SET position = \(bind: position) WHERE workspace_id = \(bind: definition.workspaceID) AND id = \(bind: id)"
                ).run()
            }
        }
    }

    /// Deletes a definition and every value of it, in one transaction.
    package func delete(_ definition: CustomFieldDefinition) async throws {
        let kind = store.kind
        try await store.transaction { database in
            try await database.raw(
                "DELETE FROM custom_fields WHERE workspace_id = \(bind: definition.workspaceID) AND id = \(bind: definition.id)"
            ).run()
            let removal = kind.customRemoving(definition.key)
            let presence = kind.customHas(definition.key)
            try await database.raw(
                "UPDATE \(ident: definition.object) SET custom = \(removal), version = version + 1, updated_at = \(bind: Timestamp.micros(Date())) WHERE workspace_id = \(bind: definition.workspaceID) AND \(presence)"
            ).run()
        }
    }

    /// A definition from a row of `columns` read on the fast path.
    static func definition(values row: [DBValue]) throws -> CustomFieldDefinition {
        guard row.count == 8, let id = row[0].text, let workspaceID = row[1].text, let object = row[2].text,
            let key = row[3].text, let label = row[4].text, let type = row[5].text, let createdAt = row[7].int
        else { throw JSONText.Malformed(offset: 0) }
        return CustomFieldDefinition(
            id: id, workspaceID: workspaceID, object: object, key: key, label: label,
            type: CustomFieldType(rawValue: type) ?? .text, options: try options(row[6].text ?? "[]"),
            createdAt: createdAt)
    }

    static func options(_ text: String) throws -> [String] {
        guard case .array(let items) = try JSONText.decode(text) else { return [] }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    static func definition(from row: any SQLRow) throws -> CustomFieldDefinition {
        let options = try options(try row.decode(column: "options", as: String.self))
        return CustomFieldDefinition(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            object: try row.decode(column: "object", as: String.self),
            key: try row.decode(column: "field_key", as: String.self),
            label: try row.decode(column: "label", as: String.self),
            type: CustomFieldType(rawValue: try row.decode(column: "field_type", as: String.self)) ?? .text,
            options: options,
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}

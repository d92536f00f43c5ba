import Foundation
package import RapportCore
package import RapportDatabase
package import SQLKit

/// Which records a list of references points to (a deal's contacts, its line items' products), kept
/// beside the record's own JSON column so that "the deals of this contact" is an index range. Written in
/// the transaction of every write of the record.
package struct RecordLinkRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Sets a record's links to what its list fields hold now.
    package func replace(_ record: Record, type: ObjectType, on database: any SQLDatabase) async throws {
        try await remove(workspaceID: record.workspaceID, object: type.name, recordID: record.id, on: database)
        for field in type.fields {
            guard let listed = field.kind.listedReferences(in: record[field.name]) else { continue }
            for target in listed.ids {
                try await database.raw(
                    """
                    INSERT INTO record_links (workspace_id, target_id, object, field, record_id)
                    VALUES (\(bind: record.workspaceID), \(bind: target), \(bind: type.name), \(bind: field.name), \(bind: record.id))
                    ON CONFLICT DO NOTHING
                    """
                ).run()
            }
        }
    }

    /// Writes the links of new records with multi-row statements (an import's), on a write session.
    package func insert(_ records: [Record], type: ObjectType, on session: RowSession) async throws {
        var rows: [[DBValue]] = []
        for record in records {
            let workspace = DBValue.text(record.workspaceID)
            let id = DBValue.text(record.id)
            for field in type.fields {
                guard let listed = field.kind.listedReferences(in: record[field.name]) else { continue }
                for target in listed.ids {
                    rows.append([workspace, .text(target), .text(type.name), .text(field.name), id])
                }
            }
        }
        try await session.insert(into: "record_links", columns: Self.columns, rows: rows)
    }

    /// The columns of `record_links`, in the order `insert` gives them.
    package static let columns = ["workspace_id", "target_id", "object", "field", "record_id"]

    /// Forgets a record's links.
    package func remove(workspaceID: String, object: String, recordID: String, on database: any SQLDatabase)
        async throws
    {
        try await database.raw(
            "DELETE FROM record_links WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_id = \(bind: recordID)"
        ).run()
    }

    /// The ids of the records of `object` whose `field` lists `target`.
    package func records(
        linking target: String, object: String, field: String, workspaceID: String, on database: any SQLDatabase
    ) async throws -> [String] {
        try await database.raw(
            "SELECT record_id FROM record_links WHERE workspace_id = \(bind: workspaceID) AND target_id = \(bind: target) AND object = \(bind: object) AND field = \(bind: field) ORDER BY record_id"
        ).all().map { try $0.decode(column: "record_id", as: String.self) }
    }
}

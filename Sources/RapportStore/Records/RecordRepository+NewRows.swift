import Foundation
package import RapportCore
package import RapportDatabase

extension RecordRepository {
    /// The rows of new records of this object.
    /// - Parameter referenceTitles: titles of the records their search reference points to, where known.
    package func newRows(
        _ records: [Record], actor: Actor, now: Int64, importID: String?, referenceTitles: [String: String]
    ) -> NewRows {
        var rows = NewRows()
        guard let workspaceID = records.first?.workspaceID else { return rows }
        let empty = Record.empty(schema, workspaceID: workspaceID, now: now)
        let actorType = DBValue.text(actor.type.rawValue)
        let actorID = DBValue(actor.id)
        let recordType = DBValue.text(schema.recordType)
        let workspace = DBValue.text(workspaceID)
        let type = DBValue.text(importID == nil ? "created" : "imported")
        let data = DBValue.text(
            JSONText.encode(
                importID.map { .object(["import_id": .string($0), "action": .string("created")]) } ?? .object([:])))
        let reference = schema.search.reference
        if !schema.duplicates.isEmpty { rows.duplicateKeys = DuplicateRepository.keyRows(of: records, type: schema) }
        for record in records {
            let id = DBValue.text(record.id)
            rows.records.append(values(of: record))
            if schema.hasUniqueEmails {
                for email in record.allEmails { rows.emails.append([workspace, .text(email), id]) }
            }
            if let reference, let target = record.string(reference), referenceTitles[target] == nil {
                rows.unindexed.append(record)
            } else {
                addDocument(
                    record, referenceTitle: reference.flatMap { record.string($0) }.flatMap { referenceTitles[$0] },
                    to: &rows)
            }
            if let timeline = schema.timeline {
                rows.events.append(
                    [workspace, .text(RecordID.make()), type, .int(now), actorType, actorID]
                        + TimelineRepository.subjectColumns.map { $0 == timeline.column ? id : .null } + [data])
            }
            let changes = FieldChange.between(empty, record, schema: schema).map {
                JSONValue.object(["field": .string($0.field), "old": $0.old, "new": $0.new])
            }
            rows.audits.append([
                workspace, .text(RecordID.make()), recordType, id, .text("created"), actorType, actorID,
                .text(JSONText.encode(.array(changes))), .int(now),
            ])
        }
        return rows
    }

    func addDocument(_ record: Record, referenceTitle: String?, to rows: inout NewRows) {
        let document = SearchKey.document(for: record, type: schema, referenceTitle: referenceTitle)
        let workspace = DBValue.text(record.workspaceID)
        let id = DBValue.text(record.id)
        rows.documents.append([
            workspace, id, .text(schema.recordType), .text(document.nameKey), DBValue(document.emailKey),
            .text(document.displayName), .int(record.updatedAt), .text(document.storedTerms),
            DBValue(record.string(schema.ownerField)), DBValue(record.string("team_id")),
        ])
        // (SQLite indexes the document's terms with FTS5 instead; M0007)
        if store.kind == .postgres {
            for term in document.terms { rows.terms.append([workspace, .text(term), id]) }
        }
    }

    /// Writes new records' rows with multi-row statements. Uniqueness was checked before; a concurrent
    /// writer's duplicate fails the statement, and with it the transaction.
    package func insert(_ rows: NewRows, on session: RowSession) async throws {
        var rows = rows
        if let workspaceID = rows.unindexed.first?.workspaceID, let reference = schema.search.reference,
            case .reference(let table)? = schema.field(reference)?.kind, let target = ObjectCatalog.named(table)
        {
            let ids = Array(Set(rows.unindexed.compactMap { $0.string(reference) }))
            let titles = try await RecordRepository(store: store, schema: target).titles(
                .all(workspaceID), ids: ids, on: session)
            for record in rows.unindexed {
                addDocument(record, referenceTitle: record.string(reference).flatMap { titles[$0] }, to: &rows)
            }
        }
        try await session.insert(into: table, columns: columns, rows: rows.records)
        try await session.insert(
            into: "contact_emails", columns: ["workspace_id", "email", "contact_id"], rows: rows.emails)
        try await SearchRepository.insert(documents: rows.documents, terms: rows.terms, on: session)
        try await session.insert(into: "events", columns: TimelineRepository.eventColumns, rows: rows.events)
        try await session.insert(into: "audit_log", columns: TimelineRepository.auditColumns, rows: rows.audits)
        try await session.insert(
            into: "duplicate_keys", columns: DuplicateRepository.keyColumns, rows: rows.duplicateKeys)
    }
}

import Foundation
import RapportCore
package import RapportDatabase

/// The hand-written SQL that `rapport bench` measures Rapport against: the same work done at the lowest
/// layer, as a developer would write it. Here so that all SQL lives in the store.
package struct BenchReferences: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// One ranking query over the term index for a search.
    package func search(workspaceID: String, words: [String]) async throws {
        let whole = words.joined(separator: " ")
        var binds: [DBValue] = [
            .text(whole), .text(whole), .text(whole), .text(whole + "\u{10FFFF}"), .text(workspaceID),
        ]
        var conditions: [String] = []
        if store.kind == .sqlite {
            conditions.append("d.doc IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)")
            binds.append(.text(SearchRepository.fullTextQuery(words) ?? "\"\""))
        } else {
            for word in words {
                conditions.append(
                    "d.record_id IN (SELECT record_id FROM search_terms WHERE workspace_id = ? AND term >= ? AND term < ?)"
                )
                binds += [.text(workspaceID), .text(word), .text(word + "\u{10FFFF}")]
            }
        }
        let sql = """
            SELECT d.record_type, d.record_id, d.display_name,
                CASE WHEN d.name_key = ? OR d.email_key = ? THEN 0
                     WHEN d.name_key >= ? AND d.name_key < ? THEN 1 ELSE 2 END AS rank
            FROM search_docs d WHERE \(store.kind == .sqlite ? "+" : "")d.workspace_id = ? AND \(conditions.joined(separator: " AND "))
            ORDER BY rank, d.updated_at DESC, d.record_id DESC LIMIT 20
            """
        let values = binds
        _ = try await store.readRows { session in try await session.rows(sql, values) }
    }

    /// The first page (50, and one more) of a contact's timeline by its index.
    package func timeline(workspaceID: String, contactID: String) async throws {
        _ = try await store.readRows { session in
            try await session.rows(
                """
                SELECT id, workspace_id, type, occurred_at, actor_type, actor_id, contact_id, company_id, deal_id, data
                FROM events WHERE workspace_id = ? AND contact_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 51
                """, [.text(workspaceID), .text(contactID)])
        }
    }

    /// One untimed pass over a workspace's contacts, so that what follows reads a warm database.
    package func warmContacts(workspaceID: String) async throws {
        _ = try await store.readRows { session in
            try await session.rows(
                "SELECT count(*), sum(length(custom)) FROM contacts WHERE workspace_id = ?", [.text(workspaceID)])
        }
    }

    /// Every contact of a workspace as comma-joined text, 5,000 rows at a time by a keyset SELECT.
    package func exportContacts(workspaceID: String, write: (String) throws -> Void) async throws {
        let columns = RecordRepository(store: store, schema: .contacts).columnList
        var after = ""
        while true {
            let rows = try await store.readRows { [after] session in
                try await session.rows(
                    "SELECT \(columns) FROM contacts WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT 5000",
                    [.text(workspaceID), .text(after)])
            }
            var text = ""
            for row in rows {
                text += row.map { $0.text ?? "" }.joined(separator: ",")
                text += "\n"
            }
            try write(text)
            guard rows.count == 5000, let last = rows.last?[1].text else { break }
            after = last
        }
    }

    /// Generated timeline events (rows in `TimelineRepository.eventColumns` order), in one transaction.
    package func insertEvents(_ rows: [[DBValue]]) async throws {
        try await store.writeRows { session in
            try await session.insert(into: "events", columns: TimelineRepository.eventColumns, rows: rows)
        }
    }

    /// Fresh tables have no statistics until autovacuum gets to them: PostgreSQL analyses them now, so
    /// that plans do not depend on when it does.
    package func analyze() async throws {
        guard store.kind == .postgres else { return }
        try await store.writeRows { try await $0.run("ANALYZE", []) }
    }
}

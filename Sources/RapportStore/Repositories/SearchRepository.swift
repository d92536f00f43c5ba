import Foundation
package import RapportCore
package import SQLKit

/// The search index: documents and terms, kept in the same transaction as the records they describe.
package struct SearchRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// One result: what it is, its id, and the name it is shown by.
    package struct Hit: Sendable, Equatable {
        package var recordType: String
        package var recordID: String
        package var displayName: String
    }

    /// Replaces a record's document and terms.
    package func index(
        workspaceID: String, recordID: String, recordType: String, document: SearchKey.Document, updatedAt: Int64,
        on database: any SQLDatabase
    ) async throws {
        try await remove(workspaceID: workspaceID, recordID: recordID, on: database)
        try await database.raw(
            """
            INSERT INTO search_docs (workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at)
            VALUES (\(bind: workspaceID), \(bind: recordID), \(bind: recordType), \(bind: document.nameKey),
                    \(bind: document.emailKey), \(bind: document.displayName), \(bind: updatedAt))
            """
        ).run()
        let terms = document.terms.sorted()
        for chunk in stride(from: 0, to: terms.count, by: 200) {
            let rows = terms[chunk..<min(chunk + 200, terms.count)].map { term -> SQLQueryString in
                "(\(bind: workspaceID), \(bind: term), \(bind: recordID))"
            }
            try await database.raw(
                "INSERT INTO search_terms (workspace_id, term, record_id) VALUES \(rows.joined(separator: ", "))"
            ).run()
        }
    }

    package func remove(workspaceID: String, recordID: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "DELETE FROM search_docs WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID)"
        ).run()
        try await database.raw(
            "DELETE FROM search_terms WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID)"
        ).run()
    }

    /// `record_id IN (…)` for records having, for every word, a term that starts with it.
    static func matching(workspaceID: String, words: [String]) -> SQLQueryString {
        let conditions = words.map { word -> SQLQueryString in
            "id IN (SELECT record_id FROM search_terms WHERE workspace_id = \(bind: workspaceID) AND term >= \(bind: word) AND term < \(bind: word + "\u{10FFFF}"))"
        }
        return conditions.joined(separator: " AND ")
    }

    /// The best matches: exact name or address first, then names starting with the query, then the rest;
    /// ties go to the most recently updated.
    package func search(workspaceID: String, query: String, limit: Int) async throws -> [Hit] {
        let words = SearchKey.queryWords(query)
        guard !words.isEmpty else { return [] }
        let whole = words.joined(separator: " ")
        var conditions: [SQLQueryString] = []
        for word in words {
            conditions.append(
                "d.record_id IN (SELECT record_id FROM search_terms WHERE workspace_id = \(bind: workspaceID) AND term >= \(bind: word) AND term < \(bind: word + "\u{10FFFF}"))"
            )
        }
        let rows = try await store.database.raw(
            """
            SELECT d.record_type, d.record_id, d.display_name,
                CASE WHEN d.name_key = \(bind: whole) OR d.email_key = \(bind: whole) THEN 0
                     WHEN d.name_key >= \(bind: whole) AND d.name_key < \(bind: whole + "\u{10FFFF}") THEN 1
                     ELSE 2 END AS rank
            FROM search_docs d
            WHERE d.workspace_id = \(bind: workspaceID) AND \(conditions.joined(separator: " AND "))
            ORDER BY rank, d.updated_at DESC, d.record_id DESC
            LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map {
            Hit(
                recordType: try $0.decode(column: "record_type", as: String.self),
                recordID: try $0.decode(column: "record_id", as: String.self),
                displayName: try $0.decode(column: "display_name", as: String.self))
        }
    }
}

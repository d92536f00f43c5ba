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
            INSERT INTO search_docs (workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms)
            VALUES (\(bind: workspaceID), \(bind: recordID), \(bind: recordType), \(bind: document.nameKey),
                    \(bind: document.emailKey), \(bind: document.displayName), \(bind: updatedAt),
                    \(bind: document.storedTerms))
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

    /// Removes a record's document and its terms (the document lists them).
    package func remove(workspaceID: String, recordID: String, on database: any SQLDatabase) async throws {
        let stored = try await database.raw(
            "DELETE FROM search_docs WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID) RETURNING terms"
        ).all()
        let terms = try stored.flatMap { try $0.decode(column: "terms", as: String.self).split(separator: " ") }
        for chunk in terms.map(String.init).chunks(of: 500) {
            try await database.raw(
                "DELETE FROM search_terms WHERE workspace_id = \(bind: workspaceID) AND term IN (\(binds: Array(chunk))) AND record_id = \(bind: recordID)"
            ).run()
        }
    }

    /// `record_id IN (…)` for records having, for every word, a term that starts with it.
    static func matching(workspaceID: String, words: [String]) -> SQLQueryString {
        let conditions = words.map { word -> SQLQueryString in
            "id IN (SELECT record_id FROM search_terms WHERE workspace_id = \(bind: workspaceID) AND term >= \(bind: word) AND term < \(bind: word + "\u{10FFFF}"))"
        }
        return conditions.joined(separator: " AND ")
    }

    /// A document as search reads it.
    struct Candidate {
        var hit: Hit
        var nameKey: String
        var emailKey: String?
        var updatedAt: Int64
        var terms: String

        /// 0 for an exact name or address, 1 for a name starting with the query, 2 for the rest.
        func rank(whole: String) -> Int {
            if nameKey == whole || emailKey == whole { return 0 }
            return nameKey.utf8.starts(with: whole.utf8) ? 1 : 2
        }

        static func ordered(_ a: (Candidate, Int), _ b: (Candidate, Int)) -> Bool {
            if a.1 != b.1 { return a.1 < b.1 }
            if a.0.updatedAt != b.0.updatedAt { return a.0.updatedAt > b.0.updatedAt }
            return a.0.hit.recordID > b.0.hit.recordID
        }
    }

    /// Above this many records matching its longest word, a query is answered from the most recently
    /// updated documents down instead of from every match.
    package static let denseThreshold = 4000
    static let columns = "record_type, record_id, display_name, name_key, email_key, updated_at, terms"

    /// The best matches: exact name or address first, then names starting with the query, then the rest;
    /// ties go to the most recently updated.
    ///
    /// When the query's longest word starts few terms, every record having it is checked and ranked.
    /// When it starts many (a short, common prefix), exact matches and name prefixes are read through
    /// their indexes, and the rest from the most recently updated documents down until enough match:
    /// with that many matches, they are not far apart. Either way the work is bounded, not proportional
    /// to the number of matches.
    /// - Parameters:
    ///   - denseThreshold: how many records with the longest word make a query dense.
    ///   - scanLimit: how many recent documents a dense query reads before it reads every match.
    ///   Tests set both low to compare the ways of answering.
    package func search(
        workspaceID: String, query: String, limit: Int, denseThreshold: Int = SearchRepository.denseThreshold,
        scanLimit: Int = SearchRepository.recentScanLimit
    ) async throws -> [Hit] {
        let words = SearchKey.queryWords(query)
        guard !words.isEmpty, limit > 0 else { return [] }
        let whole = words.joined(separator: " ")
        let probe = words.max { $0.utf8.count < $1.utf8.count }!
        let workspace = DBValue.text(workspaceID)
        let columns = Self.columns
        let threshold = denseThreshold
        return try await store.bulkRead { session in
            func documents(_ sql: String, _ binds: [DBValue]) async throws -> [Candidate] {
                try await session.rows(sql, binds).map { row in
                    Candidate(
                        hit: Hit(
                            recordType: row[0].text ?? "", recordID: row[1].text ?? "", displayName: row[2].text ?? ""),
                        nameKey: row[3].text ?? "", emailKey: row[4].text, updatedAt: row[5].int ?? 0,
                        terms: row[6].text ?? "")
                }
            }
            /// The documents that match every word.
            func candidates(_ sql: String, _ binds: [DBValue]) async throws -> [Candidate] {
                try await documents(sql, binds).filter {
                    SearchKey.matches(words: words, terms: $0.terms.split(separator: " "))
                }
            }
            let upper = DBValue.text(probe + "\u{10FFFF}")
            let probed = try await session.rows(
                "SELECT record_id FROM search_terms WHERE workspace_id = ? AND term >= ? AND term < ? LIMIT \(threshold + 1)",
                [workspace, .text(probe), upper])
            if probed.count <= threshold {
                let ids = Array(Set(probed.compactMap { $0[0].text }))
                var found: [Candidate] = []
                for chunk in ids.chunks(of: 1000) {
                    found += try await candidates(
                        "SELECT \(columns) FROM search_docs WHERE workspace_id = ? AND record_id IN (\(BulkSession.placeholders(chunk.count)))",
                        [workspace] + chunk.map(DBValue.text))
                }
                return found.map { ($0, $0.rank(whole: whole)) }.sorted(by: Candidate.ordered).prefix(limit).map(
                    \.0.hit)
            }
            // Many records have the word: exact matches and name prefixes through their indexes…
            let recent = " ORDER BY updated_at DESC, record_id DESC LIMIT \(limit)"
            var ranked: [(Candidate, Int)] = []
            var seen = Set<String>()
            func take(_ found: [Candidate]) {
                for candidate in found where seen.insert(candidate.hit.recordID).inserted {
                    ranked.append((candidate, candidate.rank(whole: whole)))
                }
            }
            // (ids first, from the indexes alone, then their documents)
            func mostRecent(_ condition: String, _ binds: [DBValue]) async throws -> [Candidate] {
                let ids = try await session.rows(
                    "SELECT record_id FROM search_docs WHERE workspace_id = ? AND \(condition)" + recent,
                    [workspace] + binds)
                guard !ids.isEmpty else { return [] }
                return try await candidates(
                    "SELECT \(columns) FROM search_docs WHERE workspace_id = ? AND record_id IN (\(BulkSession.placeholders(ids.count)))",
                    [workspace] + ids.map { $0[0] })
            }
            take(try await mostRecent("name_key = ?", [.text(whole)]))
            take(try await mostRecent("email_key = ?", [.text(whole)]))
            take(try await mostRecent("name_key > ? AND name_key < ?", [.text(whole), .text(whole + "\u{10FFFF}")]))
            // …which gives the most recent of each of those ranks; then the rest from the most recently
            // updated documents down until the page is full. Matches that all lie among old documents
            // are found by reading every match instead, once a bounded number of documents is read.
            var after: (Int64, String)?
            var read = 0
            while ranked.count < limit {
                guard read < scanLimit else {
                    return try await exhaustive(
                        session: session, workspaceID: workspaceID, words: words, whole: whole, limit: limit)
                }
                var sql = "SELECT \(columns) FROM search_docs WHERE workspace_id = ?"
                var binds = [workspace]
                if let after {
                    sql += " AND (updated_at, record_id) < (?, ?)"
                    binds += [.int(after.0), .text(after.1)]
                }
                let page = try await documents(sql + " ORDER BY updated_at DESC, record_id DESC LIMIT 500", binds)
                guard let last = page.last else { break }
                after = (last.updatedAt, last.hit.recordID)
                read += page.count
                take(page.filter { SearchKey.matches(words: words, terms: $0.terms.split(separator: " ")) })
                if page.count < 500 { break }
            }
            return ranked.sorted(by: Candidate.ordered).prefix(limit).map(\.0.hit)
        }
    }

    /// How many of the most recent documents a dense query reads before it reads every match instead.
    package static let recentScanLimit = 20_000

    /// Every match of every word, ranked in the database (the last resort of a dense query).
    func exhaustive(session: BulkSession, workspaceID: String, words: [String], whole: String, limit: Int)
        async throws -> [Hit]
    {
        var conditions: [String] = []
        var binds: [DBValue] = [
            .text(whole), .text(whole), .text(whole), .text(whole + "\u{10FFFF}"), .text(workspaceID),
        ]
        for word in words {
            conditions.append(
                "d.record_id IN (SELECT record_id FROM search_terms WHERE workspace_id = ? AND term >= ? AND term < ?)")
            binds += [.text(workspaceID), .text(word), .text(word + "\u{10FFFF}")]
        }
        let rows = try await session.rows(
            """
            SELECT d.record_type, d.record_id, d.display_name,
                CASE WHEN d.name_key = ? OR d.email_key = ? THEN 0
                     WHEN d.name_key >= ? AND d.name_key < ? THEN 1
                     ELSE 2 END AS rank
            FROM search_docs d
            WHERE d.workspace_id = ? AND \(conditions.joined(separator: " AND "))
            ORDER BY rank, d.updated_at DESC, d.record_id DESC
            LIMIT \(limit)
            """, binds)
        return rows.map {
            Hit(recordType: $0[0].text ?? "", recordID: $0[1].text ?? "", displayName: $0[2].text ?? "")
        }
    }
}

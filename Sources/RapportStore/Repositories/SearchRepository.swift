import Foundation
package import RapportCore
package import RapportDatabase
package import SQLKit

/// The search index: documents and terms, kept in the same transaction as the records they describe.
///
/// Terms live in `search_terms` on PostgreSQL (one row per term, a range scan finds a prefix) and in the
/// FTS5 index `search_index` on SQLite (M0007), whose rows are the documents' `doc` keys.
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
    ///
    /// On SQLite a document's key orders it by update: an updated record's document is written anew
    /// with the largest key, and one re-indexed without an update (its company was renamed) keeps its
    /// key. Dense searches read the newest matches in key order (`search`).
    /// - Parameter owner: the record's owner and team, which search's visibility condition reads.
    package func index(
        workspaceID: String, recordID: String, recordType: String, document: SearchKey.Document, updatedAt: Int64,
        owner: (id: String?, team: String?), on database: any SQLDatabase
    ) async throws {
        if store.kind == .sqlite {
            try await indexOnSQLite(
                workspaceID: workspaceID, recordID: recordID, recordType: recordType, document: document,
                updatedAt: updatedAt, owner: owner, on: database)
            return
        }
        try await remove(workspaceID: workspaceID, recordID: recordID, on: database)
        try await database.raw(insert(workspaceID, recordID, recordType, document, updatedAt, owner)).run()
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

    /// `index` on SQLite: the stored document is read once, for its key, its terms (an external-content
    /// FTS5 row is deleted by giving back what it was indexed with) and its update time.
    private func indexOnSQLite(
        workspaceID: String, recordID: String, recordType: String, document: SearchKey.Document, updatedAt: Int64,
        owner: (id: String?, team: String?), on database: any SQLDatabase
    ) async throws {
        if let stored = try await database.raw(
            "SELECT doc, terms, updated_at FROM search_docs WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID)"
        ).first() {
            let doc = try stored.decode(column: "doc", as: Int64.self)
            try await database.raw(
                "INSERT INTO search_index (search_index, rowid, terms) VALUES ('delete', \(bind: doc), \(bind: try stored.decode(column: "terms", as: String.self)))"
            ).run()
            guard try stored.decode(column: "updated_at", as: Int64.self) >= updatedAt else {
                try await database.raw("DELETE FROM search_docs WHERE doc = \(bind: doc)").run()
                return try await insertOnSQLite(
                    workspaceID, recordID, recordType, document, updatedAt, owner, on: database)
            }
            try await database.raw(
                """
                UPDATE search_docs SET record_type = \(bind: recordType), name_key = \(bind: document.nameKey),
                    email_key = \(bind: document.emailKey), display_name = \(bind: document.displayName),
                    terms = \(bind: document.storedTerms), owner_id = \(bind: owner.id), team_id = \(bind: owner.team)
                WHERE doc = \(bind: doc)
                """
            ).run()
            try await database.raw(
                "INSERT INTO search_index (rowid, terms) VALUES (\(bind: doc), \(bind: document.storedTerms))"
            ).run()
            return
        }
        try await insertOnSQLite(workspaceID, recordID, recordType, document, updatedAt, owner, on: database)
    }

    /// A new document, given the next key of its workspace's range (M0009), and its full-text row.
    private func insertOnSQLite(
        _ workspaceID: String, _ recordID: String, _ recordType: String, _ document: SearchKey.Document,
        _ updatedAt: Int64, _ owner: (id: String?, team: String?), on database: any SQLDatabase
    ) async throws {
        let rows = try await database.raw(
            """
            INSERT INTO search_docs (doc, workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms, owner_id, team_id)
            SELECT (\(unsafeRaw: Self.lastKey)) + 1, \(bind: workspaceID), \(bind: recordID), \(bind: recordType),
                   \(bind: document.nameKey), \(bind: document.emailKey), \(bind: document.displayName), \(bind: updatedAt),
                   \(bind: document.storedTerms), \(bind: owner.id), \(bind: owner.team)
            FROM search_spaces s WHERE s.workspace_id = \(bind: workspaceID)
            RETURNING doc
            """
        ).all()
        guard let row = rows.first else {
            // The workspace's first document: it gets its range.
            try await database.raw("INSERT INTO search_spaces (workspace_id) VALUES (\(bind: workspaceID))").run()
            return try await insertOnSQLite(
                workspaceID, recordID, recordType, document, updatedAt, owner, on: database)
        }
        try await database.raw(
            "INSERT INTO search_index (rowid, terms) VALUES (\(bind: try row.decode(column: "doc", as: Int64.self)), \(bind: document.storedTerms))"
        ).run()
    }

    /// How many bits of a document key number it within its workspace's range (M0009).
    package static let rangeBits = 40
    /// A full-text row in a workspace's range, given as two binds.
    static let inRange = "rowid BETWEEN ? AND ?"
    /// The largest key given out in the range of the search space `s` (its first key less one if none).
    static let lastKey =
        "coalesce((SELECT doc FROM search_docs WHERE doc > s.space << \(rangeBits) AND doc < (s.space + 1) << \(rangeBits) ORDER BY doc DESC LIMIT 1), s.space << \(rangeBits))"

    /// On SQLite, before new documents of a workspace are inserted with multi-row statements: the key
    /// after which theirs follow (they take the next keys of its range, in order), its space given out
    /// if it had none. Documents `(key, key + count]` are then indexed with `indexDocuments`.
    package static func lastDocumentKey(workspaceID: String, on session: RowSession) async throws -> Int64 {
        let query = "SELECT \(lastKey) FROM search_spaces s WHERE s.workspace_id = ?"
        if let key = try await session.rows(query, [.text(workspaceID)]).first?.first?.int { return key }
        // The workspace's first documents: it gets its range, empty so far.
        let space = try await session.rows(
            "INSERT INTO search_spaces (workspace_id) VALUES (?) RETURNING space", [.text(workspaceID)])
        return (space.first?.first?.int ?? 0) << rangeBits
    }

    /// Indexes one document, given its key and terms.
    package static let indexDocument = "INSERT INTO search_index (rowid, terms) VALUES (?, ?)"
    /// Indexes the documents whose keys are in `(?, ?]`, just inserted (`lastDocumentKey`).
    package static let indexDocuments =
        "INSERT INTO search_index (rowid, terms) SELECT doc, terms FROM search_docs WHERE doc > ? AND doc <= ?"

    private func insert(
        _ workspaceID: String, _ recordID: String, _ recordType: String, _ document: SearchKey.Document,
        _ updatedAt: Int64, _ owner: (id: String?, team: String?)
    ) -> SQLQueryString {
        """
        INSERT INTO search_docs (workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms, owner_id, team_id)
        VALUES (\(bind: workspaceID), \(bind: recordID), \(bind: recordType), \(bind: document.nameKey),
                \(bind: document.emailKey), \(bind: document.displayName), \(bind: updatedAt),
                \(bind: document.storedTerms), \(bind: owner.id), \(bind: owner.team))
        """
    }

    /// Writes new records' documents (rows of `workspace_id, record_id, record_type, name_key, email_key,
    /// display_name, updated_at, terms`) and, on PostgreSQL, their terms.
    static func insert(documents: [[DBValue]], terms: [[DBValue]], on session: RowSession) async throws {
        let documentColumns = [
            "workspace_id", "record_id", "record_type", "name_key", "email_key", "display_name", "updated_at", "terms",
            "owner_id", "team_id",
        ]
        guard session.kind == .sqlite else {
            try await session.insert(into: "search_docs", columns: documentColumns, rows: documents)
            try await session.insert(into: "search_terms", columns: ["workspace_id", "term", "record_id"], rows: terms)
            return
        }
        // Each workspace's documents take the next keys of its own range (M0009).
        for (workspaceID, documents) in Dictionary(grouping: documents, by: { $0[0].text ?? "" }) {
            let last = try await lastDocumentKey(workspaceID: workspaceID, on: session)
            try await session.insert(
                into: "search_docs", columns: ["doc"] + documentColumns,
                rows: documents.enumerated().map { [.int(last + 1 + Int64($0.offset))] + $0.element })
            if documents.count == 1 {
                // One row as VALUES rather than INSERT … SELECT: a statement that may write several rows
                // opens a statement savepoint, and FTS5 writes its pending terms out as a new segment at
                // each savepoint. So the documents of the creates that share a commit reach the index as
                // one segment, at the commit, instead of one segment each.
                try await session.run(indexDocument, [.int(last + 1), documents[0][7]])
            } else {
                try await session.run(indexDocuments, [.int(last), .int(last + Int64(documents.count))])
            }
        }
    }

    /// Removes a record's document and its terms (the document lists them).
    package func remove(workspaceID: String, recordID: String, on database: any SQLDatabase) async throws {
        if store.kind == .sqlite {
            // An external-content FTS5 row is deleted by giving back what it was indexed with.
            for row in try await database.raw(
                "DELETE FROM search_docs WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID) RETURNING doc, terms"
            ).all() {
                let doc = try row.decode(column: "doc", as: Int64.self)
                let terms = try row.decode(column: "terms", as: String.self)
                try await database.raw(
                    "INSERT INTO search_index (search_index, rowid, terms) VALUES ('delete', \(bind: doc), \(bind: terms))"
                ).run()
            }
            return
        }
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

    /// A word as an FTS5 string, which matches the one term equal to it. Nil when the word holds a
    /// space or a control character, which no term does (the tokenizer would split it).
    static func fullTextTerm(_ word: String) -> String? {
        guard !word.isEmpty, !word.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        return "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The FTS5 query for documents having, for every word, a term that starts with it; nil when no
    /// document can.
    package static func fullTextQuery(_ words: [String]) -> String? {
        var prefixes: [String] = []
        for word in words {
            guard let term = fullTextTerm(word) else { return nil }
            prefixes.append(term + "*")
        }
        return prefixes.isEmpty ? nil : prefixes.joined(separator: " ")
    }

    /// `record_id IN (…)` for records having, for every word, a term that starts with it.
    static func matching(workspaceID: String, words: [String], kind: DatabaseKind) -> SQLQueryString {
        if kind == .sqlite {
            guard let query = fullTextQuery(words) else { return "0 = 1" }
            return
                "id IN (SELECT d.record_id FROM search_docs d WHERE +d.workspace_id = \(bind: workspaceID) AND d.doc IN (SELECT rowid FROM search_index WHERE search_index MATCH \(bind: query) AND rowid BETWEEN (SELECT space << \(unsafeRaw: String(rangeBits)) FROM search_spaces WHERE workspace_id = \(bind: workspaceID)) AND (SELECT ((space + 1) << \(unsafeRaw: String(rangeBits))) - 1 FROM search_spaces WHERE workspace_id = \(bind: workspaceID))))"
        }
        let conditions = words.map { word -> SQLQueryString in
            "id IN (SELECT record_id FROM search_terms WHERE workspace_id = \(bind: workspaceID) AND term >= \(bind: word) AND term < \(bind: word + "\u{10FFFF}"))"
        }
        return conditions.joined(separator: " AND ")
    }

    /// The documents a user may find: for each object's record type, the user's read scope on it; a
    /// type without one (the role may not read that object) is not found at all.
    package struct Reach: Sendable {
        package var workspaceID: String
        package var scopes: [String: RecordScope]

        package init(workspaceID: String, scopes: [String: RecordScope]) {
            self.workspaceID = workspaceID
            self.scopes = scopes
        }

        /// Every document of the workspace.
        package static func all(_ workspaceID: String) -> Reach {
            Reach(
                workspaceID: workspaceID,
                scopes: Dictionary(uniqueKeysWithValues: ObjectCatalog.all.map { ($0.recordType, .all(workspaceID)) }))
        }

        /// The condition on documents (columns named with `prefix`); nil when every one may be found.
        func condition(prefix: String) -> (sql: String, binds: [DBValue])? {
            var parts: [String] = []
            var binds: [DBValue] = []
            var everything = true
            for type in ObjectCatalog.all {
                guard let scope = scopes[type.recordType] else {
                    everything = false
                    continue
                }
                if let (visible, visibleBinds) = scope.visibilityCondition(prefix: prefix, owned: type.isOwned) {
                    everything = false
                    parts.append("(\(prefix)record_type = ? AND \(visible))")
                    binds += [.text(type.recordType)] + visibleBinds
                } else {
                    parts.append("\(prefix)record_type = ?")
                    binds.append(.text(type.recordType))
                }
            }
            if everything { return nil }
            if parts.isEmpty { return ("0 = 1", []) }
            return ("(" + parts.joined(separator: " OR ") + ")", binds)
        }
    }

    /// Above this many records matching its longest word, a query is answered from the most recently
    /// updated documents down instead of from every match.
    package static let denseThreshold = 500
    /// How many of the most recent documents a dense query reads before it ranks every match instead.
    package static let recentScanLimit = 2000

    /// The best matches: exact name or address first, then names starting with the query, then the rest;
    /// ties go to the most recently updated.
    ///
    /// Documents list their terms, so "every word starts a term" is a substring test in the database
    /// (`' ' || terms` contains `' ' || word`). When the query's longest word starts few terms, every
    /// record having it is tested and ranked. When it starts many (a short, common prefix in a big
    /// workspace), exact matches and name prefixes come from their indexes, and the rest from the most
    /// recently updated documents down: with that many matches they are not far apart. If the most
    /// recent documents do not fill the page, every match is ranked. The work is bounded either way,
    /// not proportional to the number of matches.
    /// - Parameters:
    ///   - denseThreshold: how many records with the longest word make a query dense.
    ///   - scanLimit: how many recent documents a dense query reads before it ranks every match.
    ///   Tests set both low to compare the ways of answering.
    package func search(
        _ reach: Reach, query: String, limit: Int, denseThreshold: Int = SearchRepository.denseThreshold,
        scanLimit: Int? = nil
    ) async throws -> [Hit] {
        let workspaceID = reach.workspaceID
        // (the documents the user may find: on the aliased `d` and on the bare table)
        let (visibleD, visibleDBinds) = reach.condition(prefix: "d.").map { (" AND " + $0.sql, $0.binds) } ?? ("", [])
        let (visible, visibleBinds) = reach.condition(prefix: "").map { (" AND " + $0.sql, $0.binds) } ?? ("", [])
        // (on SQLite, how many of the newest matches are read first: twice a page, but at least 32)
        let newestLimit = scanLimit ?? max(2 * limit, 32)
        let scanLimit = scanLimit ?? Self.recentScanLimit
        let words = SearchKey.queryWords(query)
        guard !words.isEmpty, limit > 0 else { return [] }
        let whole = words.joined(separator: " ")
        let probe = words.max { $0.utf8.count < $1.utf8.count }!
        let workspace = DBValue.text(workspaceID)
        let contains = store.kind.textPositionFunction
        // Every word starts a term; the rank of a match.
        let matchAll = words.map { _ in "\(contains)(' ' || d.terms, ?) > 0" }.joined(separator: " AND ")
        let matchBinds = words.map { DBValue.text(" " + $0) }
        let rank =
            "CASE WHEN d.name_key = ? OR d.email_key = ? THEN 0 WHEN d.name_key >= ? AND d.name_key < ? THEN 1 ELSE 2 END"
        let rankBinds: [DBValue] = [.text(whole), .text(whole), .text(whole), .text(whole + "\u{10FFFF}")]
        let select =
            "SELECT d.record_type, d.record_id, d.display_name, \(rank) AS rank, d.updated_at FROM search_docs d"
        let order = " ORDER BY rank, d.updated_at DESC, d.record_id DESC LIMIT \(limit)"
        let inProbe: String
        // On SQLite the candidates are FTS rows looked up by key; `+` keeps the planner from walking the
        // workspace's documents by index instead.
        let inWorkspace = store.kind == .sqlite ? "+d.workspace_id = ?" : "d.workspace_id = ?"
        let probeTerm = Self.fullTextTerm(probe)
        if store.kind == .sqlite {
            guard probeTerm != nil else { return [] }
            inProbe = "d.doc IN (SELECT rowid FROM search_index WHERE search_index MATCH ? AND \(Self.inRange))"
        } else {
            inProbe =
                "d.record_id IN (SELECT record_id FROM search_terms WHERE workspace_id = ? AND term >= ? AND term < ?)"
        }
        return try await store.readRows { session in
            let isDense: Bool
            let probeBinds: [DBValue]
            // (on SQLite, the workspace's range of full-text keys)
            var range: [DBValue] = []
            if store.kind == .sqlite {
                guard
                    let space = try await session.rows(
                        "SELECT space FROM search_spaces WHERE workspace_id = ?", [workspace]
                    ).first?.first?.int
                else { return [] }  // it never had a document
                range = [.int(space << Self.rangeBits), .int(((space + 1) << Self.rangeBits) - 1)]
                probeBinds = [.text((probeTerm ?? "") + "*")] + range
                // A common whole word is dense by its own posting list, read lazily; a prefix query merges
                // the lists of every term under it first.
                func count(_ match: String) async throws -> Int {
                    Int(
                        try await session.rows(
                            "SELECT count(*) FROM (SELECT rowid FROM search_index WHERE search_index MATCH ? AND \(Self.inRange) LIMIT \(denseThreshold + 1))",
                            [.text(match)] + range
                        ).first?.first?.int ?? 0)
                }
                let term = probeTerm ?? ""
                // (up to six characters the prefix has its own posting list in the index: one count)
                if probe.unicodeScalars.count > 6, try await count(term) > denseThreshold {
                    isDense = true
                } else {
                    isDense = try await count(term + "*") > denseThreshold
                }
            } else {
                probeBinds = [workspace, .text(probe), .text(probe + "\u{10FFFF}")]
                isDense =
                    try await session.rows(
                        "SELECT record_id FROM search_terms WHERE workspace_id = ? AND term >= ? AND term < ? LIMIT \(denseThreshold + 1)",
                        probeBinds
                    ).count > denseThreshold
            }
            // Every record with the longest word: few enough to test and rank them all.
            func everyMatch() async throws -> [Hit] {
                Self.hits(
                    try await session.rows(
                        select + " WHERE \(inWorkspace) AND \(inProbe) AND \(matchAll)\(visibleD)" + order,
                        rankBinds + [workspace] + probeBinds + matchBinds + visibleDBinds)
                ).map(\.hit)
            }
            if !isDense { return try await everyMatch() }
            // Many. The page is the most recent exact matches (rank 0), then the most recent names that
            // start with the query (rank 1), then the most recent of the rest (rank 2).
            var found: [(hit: Hit, rank: Int64, updatedAt: Int64)] = []
            var seen = Set<String>()
            func take(_ rows: [(hit: Hit, rank: Int64, updatedAt: Int64)]) {
                for row in rows where seen.insert(row.hit.recordID).inserted { found.append(row) }
            }
            func page() -> [Hit] {
                found.sorted {
                    ($0.rank, -$0.updatedAt, $1.hit.recordID) < ($1.rank, -$1.updatedAt, $0.hit.recordID)
                }.prefix(limit).map(\.hit)
            }
            func count(_ rank: Int64) -> Int { found.count { $0.rank == rank } }
            // Each rank's most recent ids from its index alone, then their documents.
            let recentOf = { (condition: String) in
                "SELECT record_id FROM (SELECT record_id FROM search_docs WHERE workspace_id = ? AND \(condition)\(visible) ORDER BY updated_at DESC, record_id DESC LIMIT \(limit)) r"
            }
            // (each condition with its binds: the workspace's, then its own)
            func fromIndexes(_ conditions: [(sql: String, binds: [DBValue])]) async throws {
                take(
                    Self.hits(
                        try await session.rows(
                            select
                                + " WHERE d.workspace_id = ? AND d.record_id IN (\(conditions.map { recentOf($0.sql) }.joined(separator: " UNION "))) AND \(matchAll)",
                            rankBinds + [workspace] + conditions.flatMap { [workspace] + $0.binds + visibleBinds }
                                + matchBinds)))
            }
            // 2a (SQLite). The workspace's newest matches, from its range of the full-text index newest
            // first: a record's document is written anew, with the next key of the range, each time the
            // record is updated (`index`), so key order is update order. Documents that share an update
            // time come in any order, so only those strictly newer than the oldest one read are sure to
            // be all there. When this read does not settle the page (the matches are sparse among the
            // newest), it is dropped and the recent documents answer as on PostgreSQL.
            func newestMatches(exact: Int) async throws -> [Hit]? {
                guard newestLimit > 0, let everyWord = Self.fullTextQuery(words) else { return nil }
                // (for a user who sees some of the records, the newest of those they see: the full-text index
                // is read newest first and each match's document checked, until enough are found)
                let rows =
                    visibleD.isEmpty
                    ? try await session.rows(
                        "SELECT d.record_type, d.record_id, d.display_name, \(rank) AS rank, d.updated_at FROM search_docs d WHERE d.doc IN (SELECT rowid FROM search_index WHERE search_index MATCH ? AND \(Self.inRange) ORDER BY rowid DESC LIMIT \(newestLimit))",
                        rankBinds + [.text(everyWord)] + range)
                    : try await session.rows(
                        "SELECT d.record_type, d.record_id, d.display_name, \(rank) AS rank, d.updated_at FROM search_index s CROSS JOIN search_docs d ON d.doc = s.rowid WHERE s.search_index MATCH ? AND s.rowid BETWEEN ? AND ?\(visibleD) ORDER BY s.rowid DESC LIMIT \(newestLimit)",
                        rankBinds + [.text(everyWord)] + range + visibleDBinds)
                let (kept, keptSeen) = (found, seen)
                take(Self.hits(rows))  // (a range holds one workspace's documents: spaces are never reused)
                if rows.count < newestLimit { return page() }  // every match was read
                let oldest = rows.map { $0[4].int ?? 0 }.min() ?? .min
                func sure(_ rank: Int64) -> Int { found.count { $0.rank == rank && $0.updatedAt > oldest } }
                if exact + sure(1) >= limit { return page() }
                // Too few of this workspace's among them to fill the page either way: the recent documents
                // answer (without sorting the name index twice).
                guard exact + sure(1) + sure(2) >= limit else {
                    (found, seen) = (kept, keptSeen)
                    return nil
                }
                // Older names starting with the query outrank every other match: their index gives them.
                try await fromIndexes([("name_key > ? AND name_key < ?", [.text(whole), .text(whole + "\u{10FFFF}")])])
                if exact + min(count(1), limit) + sure(2) >= limit { return page() }
                (found, seen) = (kept, keptSeen)
                return nil
            }
            // 1. Exact names and addresses (an index gives each in order).
            try await fromIndexes([("name_key = ?", [.text(whole)]), ("email_key = ?", [.text(whole)])])
            if found.count >= limit { return page() }
            let exact = found.count
            if store.kind == .sqlite, let page = try await newestMatches(exact: exact) { return page }
            // 2. The most recent documents, best rank first: anything they hold is more recent than all
            // that lies outside them. (A derived table, so that the database stops after the window.)
            func recentDocuments(_ size: Int) async throws {
                let window =
                    "(SELECT record_type, record_id, display_name, name_key, email_key, updated_at, terms, owner_id, team_id FROM search_docs WHERE workspace_id = ? ORDER BY updated_at DESC, record_id DESC LIMIT \(size)) d"
                // (the window is of every document, the same work for every reader; what a reader may not
                // see is left out of it afterwards, and what remains is still newer than all outside it)
                take(
                    Self.hits(
                        try await session.rows(
                            "SELECT d.record_type, d.record_id, d.display_name, \(rank) AS rank, d.updated_at FROM \(window) WHERE \(matchAll)\(visibleD) ORDER BY rank, d.updated_at DESC, d.record_id DESC LIMIT \(limit + exact)",
                            rankBinds + [workspace] + matchBinds + visibleDBinds)))
            }
            try await recentDocuments(scanLimit)
            if exact + count(1) >= limit { return page() }
            // 3. Too few names starting with the query among them: the most recent of those from the name
            // index (it sorts them all, so only now).
            try await fromIndexes([("name_key > ? AND name_key < ?", [.text(whole), .text(whole + "\u{10FFFF}")])])
            if exact + count(1) >= limit || found.count >= limit { return page() }
            // 4. Too few matches at all among the recent ones (a burst of other records may have come
            // last): windows four and sixteen times as deep, read in order from the recency index, still
            // cost far less than ranking every match, whose documents lie all over the table.
            for depth in [4, 16] {
                try await recentDocuments(scanLimit * depth)
                if found.count >= limit { return page() }
            }
            // They lie among older records: rank them all.
            return try await everyMatch()
        }
    }

    /// Result rows: type, id, display name, rank, updated_at.
    static func hits(_ rows: [[DBValue]]) -> [(hit: Hit, rank: Int64, updatedAt: Int64)] {
        rows.map {
            (
                Hit(recordType: $0[0].text ?? "", recordID: $0[1].text ?? "", displayName: $0[2].text ?? ""),
                $0[3].int ?? 2, $0[4].int ?? 0
            )
        }
    }
}

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

    // MARK: Segments

    /// The condition a developer would write by hand for "country, tag, at least one event of a type since a
    /// time", with its binds: the tag through the JSON functions of each database, the events through their index.
    func segmentCondition(workspaceID: String, country: String, tag: String, eventType: String, since: Int64)
        -> (sql: String, binds: [DBValue])
    {
        let tagTest =
            store.kind == .sqlite
            ? "EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ?)" : "jsonb_exists(c.tags::jsonb, ?)"
        return (
            """
            c.workspace_id = ? AND c.country = ? AND \(tagTest)
            AND EXISTS (SELECT 1 FROM events e WHERE e.workspace_id = ? AND e.contact_id = c.id AND e.type = ?
                        AND e.occurred_at >= ?)
            """,
            [.text(workspaceID), .text(country), .text(tag), .text(workspaceID), .text(eventType), .int(since)]
        )
    }

    /// A segment's count by hand.
    /// - Returns: the count.
    package func segmentCount(workspaceID: String, country: String, tag: String, eventType: String, since: Int64)
        async throws -> Int
    {
        let (condition, binds) = segmentCondition(
            workspaceID: workspaceID, country: country, tag: tag, eventType: eventType, since: since)
        let rows = try await store.readRows { session in
            try await session.rows("SELECT count(*) FROM contacts c WHERE \(condition)", binds)
        }
        return Int(rows.first?.first?.int ?? 0)
    }

    /// A segment's first page by hand: its 50 newest members (and one more, to know there is a next page), whole.
    /// - Returns: the page's ids.
    package func segmentPage(workspaceID: String, country: String, tag: String, eventType: String, since: Int64)
        async throws -> [String]
    {
        let (condition, binds) = segmentCondition(
            workspaceID: workspaceID, country: country, tag: tag, eventType: eventType, since: since)
        let columns = RecordRepository(store: store, schema: .contacts).columnList
            .split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let rows = try await store.readRows { session in
            try await session.rows(
                "SELECT \(columns) FROM contacts c WHERE \(condition) ORDER BY c.created_at DESC, c.id DESC LIMIT 51",
                binds)
        }
        return rows.prefix(50).compactMap { $0[1].text }
    }

    // MARK: Pipeline

    /// Generated deals (rows of `columns`) and stage history, in one transaction per call.
    package func insertDeals(columns: [String], rows: [[DBValue]], history: [[DBValue]]) async throws {
        try await store.writeRows { session in
            try await session.insert(into: "deals", columns: columns, rows: rows)
            try await session.insert(
                into: "deal_stage_history",
                columns: [
                    "workspace_id", "id", "deal_id", "pipeline_id", "from_stage_id", "stage_id", "entered_at",
                    "actor_type", "actor_id",
                ], rows: history)
        }
    }

    /// A board by hand: each stage's first 50 deals, newest first, and the sums of its deals by currency.
    package func board(workspaceID: String, pipelineID: String, stageIDs: [String]) async throws {
        _ = try await store.readRows { session in
            for stage in stageIDs {
                _ = try await session.rows(
                    """
                    SELECT id, name, amount, currency, company_id, owner_id, expected_close_date FROM deals
                    WHERE workspace_id = ? AND stage_id = ? AND pipeline_id = ? ORDER BY created_at DESC, id DESC LIMIT 50
                    """, [.text(workspaceID), .text(stage), .text(pipelineID)])
            }
            return try await session.rows(
                "SELECT stage_id, currency, count(*), SUM(amount) FROM deals WHERE workspace_id = ? AND pipeline_id = ? GROUP BY stage_id, currency",
                [.text(workspaceID), .text(pipelineID)])
        }
    }

    /// A funnel by hand: each open stage's counts in the window and the middle of its stays, and the closed
    /// deals' counts and cycle, the stages and the closed deals side by side on their own readers (what the
    /// store's funnel runs, sent straight through the driver).
    package func funnel(workspaceID: String, pipelineID: String, from: Int64, to: Int64) async throws {
        let ws = DBValue.text(workspaceID)
        let pipeline = DBValue.text(pipelineID)
        let store = self.store
        let ids = try await store.readRows { session in
            try await session.rows(
                "SELECT id FROM stages WHERE workspace_id = ? AND pipeline_id = ? AND kind = 'open'", [ws, pipeline])
        }.map { $0[0] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    _ = try await store.readRows { session in
                        let counts = try await session.rows(
                            """
                            SELECT COUNT(*), SUM(CASE WHEN previous_entry_at IS NULL OR previous_entry_at < ? THEN 1 ELSE 0 END),
                                SUM(CASE WHEN (previous_entry_at IS NULL OR previous_entry_at < ?) AND advanced = 1 THEN 1 ELSE 0 END),
                                COUNT(stay_micros), AVG(stay_micros)
                            FROM deal_stage_history
                            WHERE workspace_id = ? AND pipeline_id = ? AND entered_at >= ? AND entered_at < ? AND stage_id = ?
                            """, [.int(from), .int(from), ws, pipeline, .int(from), .int(to), id])
                        guard let ended = counts.first?[3].int, ended > 0 else { return counts }
                        return try await session.rows(
                            """
                            SELECT stay_micros FROM deal_stage_history
                            WHERE workspace_id = ? AND pipeline_id = ? AND entered_at >= ? AND entered_at < ? AND stage_id = ?
                                AND stay_micros IS NOT NULL
                            ORDER BY stay_micros LIMIT \(2 - ended % 2) OFFSET \((ended - 1) / 2)
                            """, [ws, pipeline, .int(from), .int(to), id])
                    }
                }
            }
            group.addTask {
                _ = try await store.readRows { session in
                    let closed = try await session.rows(
                        """
                        SELECT status, COUNT(*), AVG(closed_at - created_at) FROM deals
                        WHERE workspace_id = ? AND pipeline_id = ? AND closed_at >= ? AND closed_at < ? AND status IN ('won', 'lost')
                        GROUP BY status
                        """, [ws, pipeline, .int(from), .int(to)])
                    guard let won = closed.first(where: { $0[0].text == "won" })?[1].int, won > 0 else { return closed }
                    return try await session.rows(
                        """
                        SELECT closed_at - created_at AS micros FROM deals
                        WHERE workspace_id = ? AND pipeline_id = ? AND closed_at >= ? AND closed_at < ? AND status = 'won'
                        ORDER BY micros LIMIT \(2 - won % 2) OFFSET \((won - 1) / 2)
                        """, [ws, pipeline, .int(from), .int(to)])
                }
            }
            try await group.waitForAll()
        }
    }

    /// A forecast by hand: open deals' weighted sums by month of expected close, and won deals' by month.
    package func forecast(workspaceID: String, pipelineID: String, currency: String) async throws {
        let binds: [DBValue] = [.text(workspaceID), .text(pipelineID), .text(currency)]
        let month = store.kind.monthOfMicros("closed_at")
        _ = try await store.readRows { session in
            _ = try await session.rows(
                """
                SELECT substr(d.expected_close_date, 1, 7), SUM(d.amount * s.probability), SUM(d.amount), COUNT(*)
                FROM deals d JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
                WHERE d.workspace_id = ? AND d.pipeline_id = ? AND d.status = 'open' AND d.currency = ? AND d.amount IS NOT NULL
                GROUP BY substr(d.expected_close_date, 1, 7)
                """, binds)
            return try await session.rows(
                """
                SELECT \(month), SUM(amount), COUNT(*) FROM deals
                WHERE workspace_id = ? AND pipeline_id = ? AND status = 'won' AND currency = ? AND amount IS NOT NULL
                GROUP BY \(month)
                """, binds)
        }
    }
}

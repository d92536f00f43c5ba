import Foundation
package import RapportCore
package import SQLKit

/// The append-only history of deals' stages, and the funnel read from it.
package struct StageHistoryRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Records transitions, in the caller's transaction.
    package func append(_ transitions: [StageTransition], on database: any SQLDatabase) async throws {
        for transition in transitions {
            try await database.raw(
                """
                INSERT INTO deal_stage_history (workspace_id, id, deal_id, pipeline_id, from_stage_id, stage_id, entered_at, actor_type, actor_id)
                VALUES (\(bind: transition.workspaceID), \(bind: transition.id), \(bind: transition.dealID), \(bind: transition.pipelineID),
                        \(bind: transition.fromStageID), \(bind: transition.stageID), \(bind: transition.enteredAt),
                        \(bind: transition.actor.type.rawValue), \(bind: transition.actor.id))
                """
            ).run()
        }
    }

    /// A deal's transitions, oldest first.
    package func history(workspaceID: String, dealID: String) async throws -> [StageTransition] {
        try await store.database.raw(
            """
            SELECT id, workspace_id, deal_id, pipeline_id, from_stage_id, stage_id, entered_at, actor_type, actor_id
            FROM deal_stage_history WHERE workspace_id = \(bind: workspaceID) AND deal_id = \(bind: dealID)
            ORDER BY entered_at, id
            """
        ).all().map { row in
            StageTransition(
                id: try row.decode(column: "id", as: String.self),
                workspaceID: try row.decode(column: "workspace_id", as: String.self),
                dealID: try row.decode(column: "deal_id", as: String.self),
                pipelineID: try row.decode(column: "pipeline_id", as: String.self),
                fromStageID: try row.decode(column: "from_stage_id", as: String?.self),
                stageID: try row.decode(column: "stage_id", as: String.self),
                enteredAt: try row.decode(column: "entered_at", as: Int64.self),
                actor: Actor(
                    Actor.Kind(rawValue: try row.decode(column: "actor_type", as: String.self)) ?? .system,
                    id: try row.decode(column: "actor_id", as: String?.self)))
        }
    }

    /// Forgets a deal's history (the deal is deleted).
    package func remove(workspaceID: String, dealID: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "DELETE FROM deal_stage_history WHERE workspace_id = \(bind: workspaceID) AND deal_id = \(bind: dealID)"
        ).run()
    }

    /// Moves a deal's history to another deal (a merge).
    package func move(workspaceID: String, from: String, to target: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "UPDATE deal_stage_history SET deal_id = \(bind: target) WHERE workspace_id = \(bind: workspaceID) AND deal_id = \(bind: from)"
        ).run()
    }

    /// What the funnel counts, per open stage and for closed deals, over the deals of `pipelineID` that
    /// `reach` sees (and `ownerID` owns, when given), in the window `[from, to)` (microseconds).
    /// Definitions: docs/metrics.md.
    package func funnel(
        _ reach: RecordScope, pipelineID: String, ownerID: String?, from: Int64, to: Int64
    ) async throws -> (
        stages: [String: Funnel.StageCounts], won: Int, lost: Int, cycleMedian: Double?, cycleMean: Double?
    ) {
        var deals: SQLQueryString = "SELECT id FROM deals WHERE \(reach.sql()) AND pipeline_id = \(bind: pipelineID)"
        if let ownerID { deals = deals + " AND owner_id = \(bind: ownerID)" }
        // (a reader who sees every deal, with no owner asked for, reads the history alone: it holds only
        // the deals that exist)
        let restricted: SQLQueryString =
            ownerID == nil && reach.visibilityCondition(owned: ObjectType.deals.isOwned) == nil
            ? "" : " AND h.deal_id IN (\(deals))"
        let stagesSQL: SQLQueryString =
            """
            WITH t AS (
                SELECT h.deal_id, h.stage_id, h.entered_at, s.kind, s.position,
                    LEAD(h.entered_at) OVER (PARTITION BY h.deal_id ORDER BY h.entered_at, h.id) AS left_at,
                    MAX(CASE s.kind WHEN 'won' THEN 1000000 WHEN 'open' THEN s.position ELSE -1 END)
                        OVER (PARTITION BY h.deal_id ORDER BY h.entered_at, h.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later
                FROM deal_stage_history h
                LEFT JOIN stages s ON s.workspace_id = h.workspace_id AND s.id = h.stage_id
                WHERE h.workspace_id = \(bind: reach.workspaceID) AND h.pipeline_id = \(bind: pipelineID)\(restricted)
            ),
            e AS (
                SELECT deal_id, stage_id, entered_at, left_at, position, later FROM t
                WHERE kind = 'open' AND entered_at >= \(bind: from) AND entered_at < \(bind: to)
            ),
            c AS (
                SELECT stage_id, COUNT(DISTINCT deal_id) AS entered,
                    COUNT(DISTINCT CASE WHEN later > position THEN deal_id END) AS advanced,
                    CAST(AVG(CASE WHEN left_at IS NOT NULL THEN left_at - entered_at END) AS DOUBLE PRECISION) AS mean_micros
                FROM e GROUP BY stage_id
            ),
            r AS (
                SELECT stage_id, left_at - entered_at AS micros,
                    ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY left_at - entered_at) AS rn,
                    COUNT(*) OVER (PARTITION BY stage_id) AS n
                FROM e WHERE left_at IS NOT NULL
            ),
            m AS (SELECT stage_id, CAST(AVG(micros) AS DOUBLE PRECISION) AS median_micros FROM r WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY stage_id)
            SELECT c.stage_id, c.entered, c.advanced, c.mean_micros, m.median_micros
            FROM c LEFT JOIN m ON m.stage_id = c.stage_id
            """
        var stages: [String: Funnel.StageCounts] = [:]
        for row in try await store.database.raw(stagesSQL).all() {
            stages[try row.decode(column: "stage_id", as: String.self)] = Funnel.StageCounts(
                entered: try row.decode(column: "entered", as: Int.self),
                advanced: try row.decode(column: "advanced", as: Int.self),
                medianMicros: try row.decode(column: "median_micros", as: Double?.self),
                meanMicros: try row.decode(column: "mean_micros", as: Double?.self))
        }
        var closed: SQLQueryString =
            "SELECT status, created_at, closed_at FROM deals WHERE \(reach.sql()) AND pipeline_id = \(bind: pipelineID)"
        if let ownerID { closed = closed + " AND owner_id = \(bind: ownerID)" }
        let closedSQL: SQLQueryString =
            """
            WITH d AS (\(closed) AND status IN ('won', 'lost') AND closed_at >= \(bind: from) AND closed_at < \(bind: to)),
            w AS (
                SELECT closed_at - created_at AS micros, ROW_NUMBER() OVER (ORDER BY closed_at - created_at) AS rn,
                    COUNT(*) OVER () AS n
                FROM d WHERE status = 'won'
            )
            SELECT (SELECT COUNT(*) FROM d WHERE status = 'won') AS won, (SELECT COUNT(*) FROM d WHERE status = 'lost') AS lost,
                (SELECT CAST(AVG(micros) AS DOUBLE PRECISION) FROM w) AS mean_micros,
                (SELECT CAST(AVG(micros) AS DOUBLE PRECISION) FROM w WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_micros
            """
        guard let row = try await store.database.raw(closedSQL).first() else {
            return (stages, 0, 0, nil, nil)
        }
        return (
            stages, try row.decode(column: "won", as: Int.self), try row.decode(column: "lost", as: Int.self),
            try row.decode(column: "median_micros", as: Double?.self),
            try row.decode(column: "mean_micros", as: Double?.self)
        )
    }
}

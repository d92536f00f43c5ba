import Foundation
package import RapportCore
package import SQLKit

/// The append-only history of deals' stages, and the funnel read from it.
package struct StageHistoryRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Records transitions, in the caller's transaction, and brings the derived columns of their deals'
    /// history up to date (the stay of the stage each deal left, what advanced).
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
        for (workspaceID, dealIDs) in Dictionary(grouping: transitions, by: \.workspaceID) {
            try await refresh(workspaceID: workspaceID, dealIDs: Set(dealIDs.map(\.dealID)).sorted(), on: database)
        }
    }

    /// Computes the derived columns of these deals' transitions again.
    package func refresh(workspaceID: String, dealIDs: [String], on database: any SQLDatabase) async throws {
        guard !dealIDs.isEmpty else { return }
        try await database.raw(
            StageHistorySQL.refresh("h.workspace_id = \(bind: workspaceID) AND h.deal_id IN (\(binds: dealIDs))")
        ).run()
    }

    /// Computes `advanced` again for a pipeline's transitions (its stages changed order or kind).
    package func refreshAdvanced(workspaceID: String, pipelineID: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            StageHistorySQL.refreshAdvanced(
                "h.workspace_id = \(bind: workspaceID) AND h.pipeline_id = \(bind: pipelineID)")
        ).run()
    }

    /// Computes the derived columns of a workspace's whole history again (generated history, written in bulk).
    package func refreshAll(workspaceID: String) async throws {
        try await store.database.raw(StageHistorySQL.refresh("h.workspace_id = \(bind: workspaceID)")).run()
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
    /// Definitions: docs/metrics.md. The counts are one range read of the window's transitions: an entry
    /// whose previous entry into the same stage lies before the window is its deal's first in it, and that
    /// one advanced exactly when any of the deal's entries in the window did.
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
            ? "" : " AND deal_id IN (\(deals))"
        let stageIDs = try await store.database.raw(
            "SELECT id FROM stages WHERE workspace_id = \(bind: reach.workspaceID) AND pipeline_id = \(bind: pipelineID) AND kind = 'open'"
        ).all().map { try $0.decode(column: "id", as: String.self) }
        guard !stageIDs.isEmpty else {
            return try await closed(reach, pipelineID: pipelineID, ownerID: ownerID, from: from, to: to, stages: [:])
        }
        let inWindow: SQLQueryString =
            """
            workspace_id = \(bind: reach.workspaceID) AND pipeline_id = \(bind: pipelineID)
            AND entered_at >= \(bind: from) AND entered_at < \(bind: to)
            """
        let database = store.database
        /// One stage's counts, and the middle of its ended stays read in order of length from their index.
        @Sendable func counts(_ stageID: String) async throws -> (String, Funnel.StageCounts)? {
            let counts: SQLQueryString =
                """
                SELECT COUNT(*) AS n,
                    SUM(CASE WHEN previous_entry_at IS NULL OR previous_entry_at < \(bind: from) THEN 1 ELSE 0 END) AS entered,
                    SUM(CASE WHEN (previous_entry_at IS NULL OR previous_entry_at < \(bind: from)) AND advanced = 1 THEN 1 ELSE 0 END) AS advanced,
                    COUNT(stay_micros) AS ended, CAST(AVG(stay_micros) AS DOUBLE PRECISION) AS mean_micros
                FROM deal_stage_history
                """ + " WHERE " + inWindow + " AND stage_id = \(bind: stageID)" + restricted
            guard let row = try await database.raw(counts).first(), try row.decode(column: "n", as: Int.self) > 0
            else { return nil }
            let ended = try row.decode(column: "ended", as: Int.self)
            var median: Double?
            if ended > 0 {
                let middle: SQLQueryString =
                    "SELECT stay_micros FROM deal_stage_history WHERE " + inWindow
                    + " AND stage_id = \(bind: stageID) AND stay_micros IS NOT NULL" + restricted
                    + " ORDER BY stay_micros LIMIT \(unsafeRaw: String(2 - ended % 2)) OFFSET \(unsafeRaw: String((ended - 1) / 2))"
                let values = try await database.raw(middle).all().map {
                    try $0.decode(column: "stay_micros", as: Int64.self)
                }
                if !values.isEmpty { median = Double(values.reduce(0, +)) / Double(values.count) }
            }
            return (
                stageID,
                Funnel.StageCounts(
                    entered: try row.decode(column: "entered", as: Int.self),
                    advanced: try row.decode(column: "advanced", as: Int.self),
                    medianMicros: median,
                    meanMicros: try row.decode(column: "mean_micros", as: Double?.self))
            )
        }
        // the stages and the closed deals are independent reads: on SQLite's readers (WAL) and PostgreSQL's
        // pooled connections they run side by side
        async let closedDeals = closed(reach, pipelineID: pipelineID, ownerID: ownerID, from: from, to: to, stages: [:])
        let stages = try await withThrowingTaskGroup(of: (String, Funnel.StageCounts)?.self) { group in
            for stageID in stageIDs { group.addTask { try await counts(stageID) } }
            var stages: [String: Funnel.StageCounts] = [:]
            for try await case let (stageID, counts)? in group { stages[stageID] = counts }
            return stages
        }
        var result = try await closedDeals
        result.stages = stages
        return result
    }

    /// The funnel's closed deals: won and lost in the window, and the won deals' cycle.
    private func closed(
        _ reach: RecordScope, pipelineID: String, ownerID: String?, from: Int64, to: Int64,
        stages: [String: Funnel.StageCounts]
    ) async throws -> (
        stages: [String: Funnel.StageCounts], won: Int, lost: Int, cycleMedian: Double?, cycleMean: Double?
    ) {
        var deals: SQLQueryString =
            """
            FROM deals WHERE \(reach.sql()) AND pipeline_id = \(bind: pipelineID)
            AND closed_at >= \(bind: from) AND closed_at < \(bind: to)
            """
        if let ownerID { deals = deals + " AND owner_id = \(bind: ownerID)" }
        var won = 0
        var lost = 0
        var mean: Double?
        for row in try await store.database.raw(
            "SELECT status, COUNT(*) AS n, CAST(AVG(closed_at - created_at) AS DOUBLE PRECISION) AS mean_micros "
                + deals + " AND status IN ('won', 'lost') GROUP BY status"
        ).all() {
            let count = try row.decode(column: "n", as: Int.self)
            if try row.decode(column: "status", as: String.self) == "won" {
                won = count
                mean = try row.decode(column: "mean_micros", as: Double?.self)
            } else {
                lost = count
            }
        }
        var median: Double?
        if won > 0 {
            // the middle one or two cycles of the won deals
            let values = try await store.database.raw(
                "SELECT closed_at - created_at AS micros " + deals
                    + " AND status = 'won' ORDER BY micros LIMIT \(unsafeRaw: String(2 - won % 2)) OFFSET \(unsafeRaw: String((won - 1) / 2))"
            ).all().map { try $0.decode(column: "micros", as: Int64.self) }
            if !values.isEmpty { median = Double(values.reduce(0, +)) / Double(values.count) }
        }
        return (stages, won, lost, median, mean)
    }
}

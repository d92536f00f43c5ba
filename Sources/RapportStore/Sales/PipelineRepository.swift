import Foundation
package import RapportCore
package import SQLKit

/// Pipelines and their stages. A pipeline's stages are written whole: kept stages keep their ids (and
/// their deals), new ones get ids, and missing ones are removed once their deals have moved.
package struct PipelineRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The workspace's pipelines in their order, each with its stages in order.
    package func all(workspaceID: String, on database: (any SQLDatabase)? = nil) async throws -> [Pipeline] {
        let database = database ?? store.database
        let rows = try await database.raw(
            "SELECT id, workspace_id, name, currency, position, version, created_at, updated_at FROM pipelines WHERE workspace_id = \(bind: workspaceID) ORDER BY position, id"
        ).all()
        let stages = try await database.raw(
            "SELECT id, pipeline_id, name, probability, kind, position FROM stages WHERE workspace_id = \(bind: workspaceID) ORDER BY position, id"
        ).all()
        var byPipeline: [String: [Stage]] = [:]
        for row in stages {
            byPipeline[try row.decode(column: "pipeline_id", as: String.self), default: []].append(try Self.stage(row))
        }
        return try rows.map { try Self.pipeline($0, stages: byPipeline) }
    }

    /// A pipeline of the workspace with its stages; nil for none.
    package func find(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws
        -> Pipeline?
    {
        guard RecordID.isWellFormed(id) else { return nil }
        let database = database ?? store.database
        guard
            let row = try await database.raw(
                "SELECT id, workspace_id, name, currency, position, version, created_at, updated_at FROM pipelines WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
            ).first()
        else { return nil }
        let stages = try await database.raw(
            "SELECT id, pipeline_id, name, probability, kind, position FROM stages WHERE workspace_id = \(bind: workspaceID) AND pipeline_id = \(bind: id) ORDER BY position, id"
        ).all().map(Self.stage)
        return try Self.pipeline(row, stages: [id: stages])
    }

    /// The pipeline a stage belongs to; nil when the workspace has no such stage.
    package func pipeline(ofStage stageID: String, workspaceID: String, on database: (any SQLDatabase)? = nil)
        async throws -> Pipeline?
    {
        guard RecordID.isWellFormed(stageID) else { return nil }
        let database = database ?? store.database
        guard
            let row = try await database.raw(
                "SELECT pipeline_id FROM stages WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: stageID)"
            ).first()
        else { return nil }
        return try await find(
            workspaceID: workspaceID, id: try row.decode(column: "pipeline_id", as: String.self), on: database)
    }

    /// The workspace's first pipeline, where a deal that names none goes.
    package func first(workspaceID: String, on database: (any SQLDatabase)? = nil) async throws -> Pipeline? {
        let database = database ?? store.database
        guard
            let row = try await database.raw(
                "SELECT id FROM pipelines WHERE workspace_id = \(bind: workspaceID) ORDER BY position, id LIMIT 1"
            ).first()
        else { return nil }
        return try await find(workspaceID: workspaceID, id: try row.decode(column: "id", as: String.self), on: database)
    }

    /// Creates a pipeline after the workspace's others.
    package func create(
        workspaceID: String, name: String, currency: String?, stages: [StageDraft], now: Int64,
        on database: any SQLDatabase
    ) async throws -> Pipeline {
        let id = RecordID.make()
        let position =
            try await database.raw(
                "SELECT COALESCE(MAX(position), -1) + 1 AS next FROM pipelines WHERE workspace_id = \(bind: workspaceID)"
            ).first()?.decode(column: "next", as: Int.self) ?? 0
        try await database.raw(
            """
            INSERT INTO pipelines (workspace_id, id, name, currency, position, version, created_at, updated_at)
            VALUES (\(bind: workspaceID), \(bind: id), \(bind: name), \(bind: currency), \(bind: position), 1, \(bind: now), \(bind: now))
            """
        ).run()
        var made: [Stage] = []
        for (index, draft) in stages.enumerated() {
            let stage = Stage(
                id: RecordID.make(), name: draft.name, probability: draft.probability, kind: draft.kind,
                position: index)
            try await insert(stage, pipelineID: id, workspaceID: workspaceID, on: database)
            made.append(stage)
        }
        return Pipeline(
            id: id, workspaceID: workspaceID, name: name, currency: currency, position: position, stages: made,
            version: 1, createdAt: now, updatedAt: now)
    }

    /// Gives a new workspace the "Sales" pipeline, once: a workspace that has a pipeline keeps it.
    package func createDefault(workspaceID: String, on database: any SQLDatabase) async throws {
        guard
            try await database.raw(
                "SELECT 1 AS found FROM pipelines WHERE workspace_id = \(bind: workspaceID) LIMIT 1"
            ).first() == nil
        else { return }
        _ = try await create(
            workspaceID: workspaceID, name: Pipeline.defaultName, currency: nil, stages: Pipeline.defaultStages,
            now: Timestamp.micros(Date()), on: database)
    }

    /// Writes a pipeline's name, currency and stages: `stages` in their new order, kept ones by id.
    /// Stages missing from it must hold no deals by now.
    package func update(_ pipeline: Pipeline, expectedVersion: Int64, on database: any SQLDatabase) async throws
        -> Bool
    {
        let changed = try await database.raw(
            """
            UPDATE pipelines SET name = \(bind: pipeline.name), currency = \(bind: pipeline.currency),
            version = version + 1, updated_at = \(bind: pipeline.updatedAt)
            WHERE workspace_id = \(bind: pipeline.workspaceID) AND id = \(bind: pipeline.id) AND version = \(bind: expectedVersion)
            RETURNING id
            """
        ).first()
        guard changed != nil else { return false }
        let order = { (stages: [(id: String, kind: String, position: Int)]) in
            stages.sorted { $0.position < $1.position }.map { "\($0.id) \($0.kind)" }
        }
        let before = try await database.raw(
            "SELECT id, kind, position FROM stages WHERE workspace_id = \(bind: pipeline.workspaceID) AND pipeline_id = \(bind: pipeline.id)"
        ).all().map {
            (
                id: try $0.decode(column: "id", as: String.self), kind: try $0.decode(column: "kind", as: String.self),
                position: try $0.decode(column: "position", as: Int.self)
            )
        }
        let kept = pipeline.stages.map(\.id)
        try await database.raw(
            "DELETE FROM stages WHERE workspace_id = \(bind: pipeline.workspaceID) AND pipeline_id = \(bind: pipeline.id)"
                + (kept.isEmpty ? "" : " AND id NOT IN (\(binds: kept))")
        ).run()
        for stage in pipeline.stages {
            let updated = try await database.raw(
                """
                UPDATE stages SET name = \(bind: stage.name), probability = \(bind: stage.probability),
                kind = \(bind: stage.kind.rawValue), position = \(bind: stage.position)
                WHERE workspace_id = \(bind: pipeline.workspaceID) AND id = \(bind: stage.id) RETURNING id
                """
            ).first()
            if updated == nil {
                try await insert(stage, pipelineID: pipeline.id, workspaceID: pipeline.workspaceID, on: database)
            }
        }
        // what advanced depends on the order and kinds of the stages that history names (a removed stage
        // ranks with the lost ones)
        let after = pipeline.stages.map { (id: $0.id, kind: $0.kind.rawValue, position: $0.position) }
        if order(before) != order(after.filter { stage in before.contains { $0.id == stage.id } }) {
            try await StageHistoryRepository(store: store).refreshAdvanced(
                workspaceID: pipeline.workspaceID, pipelineID: pipeline.id, on: database)
        }
        return true
    }

    /// Deletes a pipeline and its stages (its deals must have gone).
    package func delete(workspaceID: String, id: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "DELETE FROM stages WHERE workspace_id = \(bind: workspaceID) AND pipeline_id = \(bind: id)"
        ).run()
        try await database.raw("DELETE FROM pipelines WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)")
            .run()
    }

    /// How many deals each stage holds (stages with none are missing), or a pipeline when `stageIDs` is nil.
    package func dealCounts(workspaceID: String, pipelineID: String, on database: any SQLDatabase) async throws
        -> [String: Int]
    {
        var counts: [String: Int] = [:]
        for row in try await database.raw(
            "SELECT stage_id, COUNT(*) AS n FROM deals WHERE workspace_id = \(bind: workspaceID) AND pipeline_id = \(bind: pipelineID) GROUP BY stage_id"
        ).all() {
            counts[try row.decode(column: "stage_id", as: String?.self) ?? ""] = try row.decode(
                column: "n", as: Int.self)
        }
        return counts
    }

    func insert(_ stage: Stage, pipelineID: String, workspaceID: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            """
            INSERT INTO stages (workspace_id, id, pipeline_id, name, probability, kind, position)
            VALUES (\(bind: workspaceID), \(bind: stage.id), \(bind: pipelineID), \(bind: stage.name),
                    \(bind: stage.probability), \(bind: stage.kind.rawValue), \(bind: stage.position))
            """
        ).run()
    }

    static func stage(_ row: any SQLRow) throws -> Stage {
        Stage(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            probability: try row.decode(column: "probability", as: Int.self),
            kind: StageKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .open,
            position: try row.decode(column: "position", as: Int.self))
    }

    static func pipeline(_ row: any SQLRow, stages: [String: [Stage]]) throws -> Pipeline {
        let id = try row.decode(column: "id", as: String.self)
        return Pipeline(
            id: id, workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            currency: try row.decode(column: "currency", as: String?.self),
            position: try row.decode(column: "position", as: Int.self), stages: stages[id] ?? [],
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

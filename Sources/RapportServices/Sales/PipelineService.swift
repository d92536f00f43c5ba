import Foundation
package import RapportCore
import RapportStore

/// Pipelines: everyone in the workspace reads them (deals name their stages); owners and admins change
/// them. A stage is added, renamed, reordered or removed by writing the pipeline's stages whole; the
/// deals of a removed stage move to another stage first, each with its history and events.
package struct PipelineService: Sendable {
    let services: Services
    var pipelines: PipelineRepository { PipelineRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The workspace's pipelines in order.
    package func all(_ viewer: Viewer) async throws -> [Pipeline] {
        try await pipelines.all(workspaceID: viewer.workspaceID)
    }

    /// A pipeline of the workspace.
    /// - Throws: `notFound`.
    package func get(_ viewer: Viewer, id: String) async throws -> Pipeline {
        guard let pipeline = try await pipelines.find(workspaceID: viewer.workspaceID, id: id) else {
            throw RapportError.notFound("The pipeline")
        }
        return pipeline
    }

    /// The pipeline a stage belongs to.
    /// - Throws: `notFound`.
    package func pipeline(ofStage stageID: String, _ viewer: Viewer) async throws -> Pipeline {
        guard let pipeline = try await pipelines.pipeline(ofStage: stageID, workspaceID: viewer.workspaceID) else {
            throw RapportError.notFound("The stage")
        }
        return pipeline
    }

    /// Names of pipelines and stages of the workspace by id ("Sales", "Demo"); unknown ids are left out.
    package func names(_ viewer: Viewer, ids: [String]) async throws -> [String: String] {
        let wanted = Set(ids)
        var names: [String: String] = [:]
        for pipeline in try await all(viewer) {
            if wanted.contains(pipeline.id) { names[pipeline.id] = pipeline.name }
            for stage in pipeline.stages where wanted.contains(stage.id) { names[stage.id] = stage.name }
        }
        return names
    }

    /// Makes a pipeline.
    /// - Throws: `forbidden`; `invalid` naming each bad member.
    package func create(_ principal: Principal, name: String, currency: String?, stages: [StageDraft]) async throws
        -> Pipeline
    {
        try Access(principal).require(.managePipelines)
        let issues =
            Pipeline.issues(name: name, stages: stages)
            + stages.enumerated().compactMap { index, stage in
                stage.id == nil ? nil : FieldIssue("stages[\(index)].id", "A new pipeline's stages have no ids yet.")
            }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let drafts = stages.map { StageDraft(name: $0.name.trimmed(), probability: $0.probability, kind: $0.kind) }
        return try await services.store.transaction { database in
            try await pipelines.create(
                workspaceID: principal.workspace.id, name: name.trimmed(), currency: currency, stages: drafts,
                now: Timestamp.micros(Date()), on: database)
        }
    }

    /// Changes a pipeline's name, currency (`.some(nil)` clears it) and stages (the whole list in order:
    /// kept stages by id, new ones without). The deals of a removed stage move to `moveTo` first.
    /// - Throws: `forbidden`; `notFound`; `invalid`; `conflict` when a removed stage holds deals and
    ///   `moveTo` is missing, or a stage holding deals would change kind; `stale` for `expectedVersion`.
    package func update(
        _ principal: Principal, id: String, name: String?, currency: String??, stages: [StageDraft]?,
        moveTo: String? = nil, expectedVersion: Int64? = nil
    ) async throws -> Pipeline {
        try Access(principal).require(.managePipelines)
        let viewer = principal.viewer
        var pipeline = try await get(viewer, id: id)
        if let expectedVersion, expectedVersion != pipeline.version {
            throw RapportError(.stale, "The pipeline has changed since it was read (If-Match does not match its ETag).")
        }
        var issues = Pipeline.issues(name: name, stages: stages)
        for (index, stage) in (stages ?? []).enumerated() {
            if let stageID = stage.id, pipeline.stage(stageID) == nil {
                issues.append(FieldIssue("stages[\(index)].id", key: "no_such_stage", "No such stage."))
            }
        }
        if let currency = currency ?? nil, pipeline.currency != currency,
            try await hasDeals(pipeline, inOtherCurrencyThan: currency, workspaceID: principal.workspace.id)
        {
            issues.append(
                FieldIssue(
                    "currency", key: "pipeline_currency_deals", "Some deals of this pipeline are in another currency."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        if let name { pipeline.name = name.trimmed() }
        if let currency { pipeline.currency = currency }
        var removed: [Stage] = []
        if let stages {
            let kept = Set(stages.compactMap(\.id))
            removed = pipeline.stages.filter { !kept.contains($0.id) }
            let counts = try await services.store.transaction { database in
                try await pipelines.dealCounts(workspaceID: principal.workspace.id, pipelineID: id, on: database)
            }
            for stage in stages {
                if let stageID = stage.id, let old = pipeline.stage(stageID), old.kind != stage.kind,
                    (counts[stageID] ?? 0) > 0
                {
                    throw RapportError(
                        .conflict,
                        "The stage \(old.name) holds \(counts[stageID] ?? 0) deals; its kind cannot change while it does."
                    )
                }
            }
            let waiting = removed.reduce(0) { $0 + (counts[$1.id] ?? 0) }
            if waiting > 0 {
                guard let moveTo else {
                    throw RapportError(
                        .conflict, "The stages removed hold \(waiting) deals; name a stage to move them to (move_to).",
                        extras: ["deal_count": String(waiting)])
                }
                guard let target = pipeline.stage(moveTo), kept.contains(moveTo) else {
                    throw RapportError.invalid([
                        FieldIssue("move_to", key: "no_such_stage", "Name a stage this pipeline keeps.")
                    ])
                }
                guard target.kind != .lost else {
                    throw RapportError.invalid([
                        FieldIssue("move_to", key: "move_to_lost", "Deals can be moved to an open or a won stage.")
                    ])
                }
                try await moveDeals(of: removed, to: moveTo, principal: principal)
            }
            pipeline.stages = stages.enumerated().map { index, draft in
                Stage(
                    id: draft.id ?? RecordID.make(), name: draft.name.trimmed(), probability: draft.probability,
                    kind: draft.kind, position: index)
            }
        }
        pipeline.updatedAt = Timestamp.micros(Date())
        let updated = pipeline
        let removedIDs = removed.map(\.id)
        let saved = try await services.store.transaction { database in
            let counts = try await pipelines.dealCounts(
                workspaceID: principal.workspace.id, pipelineID: id, on: database)
            if removedIDs.contains(where: { (counts[$0] ?? 0) > 0 }) {
                throw RapportError(.conflict, "A deal entered a removed stage meanwhile; try again.")
            }
            return try await pipelines.update(updated, expectedVersion: updated.version, on: database)
        }
        guard saved else { throw RapportError(.stale, "The pipeline has changed meanwhile; reload it and try again.") }
        return try await get(viewer, id: id)
    }

    /// Deletes a pipeline that holds no deals (and is not the workspace's last).
    /// - Throws: `forbidden`; `notFound`; `conflict`.
    package func delete(_ principal: Principal, id: String) async throws {
        try Access(principal).require(.managePipelines)
        let workspaceID = principal.workspace.id
        _ = try await get(principal.viewer, id: id)
        try await services.store.transaction { database in
            let held = try await pipelines.dealCounts(workspaceID: workspaceID, pipelineID: id, on: database)
                .values.reduce(0, +)
            if held > 0 {
                throw RapportError(
                    .conflict, "The pipeline holds \(held) deals; move or delete them first.",
                    extras: ["deal_count": String(held)])
            }
            if try await pipelines.all(workspaceID: workspaceID, on: database).count <= 1 {
                throw RapportError(.conflict, "A workspace keeps at least one pipeline.")
            }
            try await pipelines.delete(workspaceID: workspaceID, id: id, on: database)
        }
    }

    /// How the viewer's deals of a pipeline went through its stages in `[from, to)` (microseconds).
    package func funnel(_ viewer: Viewer, pipelineID: String, ownerID: String?, from: Int64, to: Int64) async throws
        -> Funnel
    {
        let pipeline = try await get(viewer, id: pipelineID)
        let reach = try viewer.scope(.read, on: .deals)
        let counts = try await StageHistoryRepository(store: services.store).funnel(
            reach, pipelineID: pipelineID, ownerID: ownerID, from: from, to: to)
        return Funnel.assemble(
            pipeline: pipeline, counts: counts.stages, won: counts.won, lost: counts.lost,
            cycleMedianMicros: counts.cycleMedian, cycleMeanMicros: counts.cycleMean)
    }

    /// The weighted pipeline, best case and won amounts of the viewer's deals of a pipeline in one
    /// currency (the one named, else the pipeline's, else the one most of its deals are in), by month of
    /// expected close or by owner. Open deals count when their expected close date falls in the window
    /// (or they have none); won deals when they closed in it. Definitions: docs/metrics.md.
    package func forecast(
        _ viewer: Viewer, pipelineID: String, currency: String?, grouping: Forecast.Grouping, window: TimeWindow
    ) async throws -> Forecast {
        let pipeline = try await get(viewer, id: pipelineID)
        let reach = try viewer.scope(.read, on: .deals)
        // (sums of amounts would tell what the role hides)
        if viewer.hiddenFields(.deals).contains("amount") {
            throw RapportError(.forbidden, "Your role hides the amounts of deals, which a forecast adds up.")
        }
        let repository = ForecastRepository(store: services.store)
        var chosen = currency ?? pipeline.currency
        if chosen == nil { chosen = try await repository.usualCurrency(reach, pipelineID: pipelineID) }
        guard let chosen else { return Forecast(pipelineID: pipelineID, currency: nil, grouping: grouping, rows: []) }
        func day(_ micros: Int64) -> String { String(Timestamp.rfc3339(micros).prefix(10)) }
        let sums = try await repository.sums(
            reach, pipelineID: pipelineID, currency: chosen, grouping: grouping,
            fromDay: window.from <= 0 ? "0000-01-01" : day(window.from),
            toDay: window.to == .max ? "9999-12-31" : day(window.to), from: window.from, to: window.to)
        return Forecast(
            pipelineID: pipelineID, currency: chosen, grouping: grouping,
            rows: Forecast.rows(open: sums.open, won: sums.won, grouping: grouping))
    }

    /// A pipeline's board for the viewer: each stage's first cards (newest first), its count and totals,
    /// over the deals `filters` keep (an owner, a team, a window of expected close dates).
    package func board(_ viewer: Viewer, pipelineID: String, filters: [ListQuery.Filter]) async throws -> Board {
        let pipeline = try await get(viewer, id: pipelineID)
        let deals = RecordService(services, schema: .deals)
        var query = ListQuery()
        query.filters =
            filters + [
                .init(
                    target: .standard(name: "pipeline_id", kind: .reference("pipelines")), op: .equals,
                    value: .string(pipeline.id))
            ]
        var sums = try await BoardRepository(store: services.store).columns(
            try viewer.scope(.read, on: .deals), query: query)
        if viewer.hiddenFields(.deals).contains("amount") {
            // (totals would tell what the role hides: columns keep their counts only)
            sums = sums.map { Board.Sum(stageID: $0.stageID, currency: nil, count: $0.count, amount: 0) }
        }
        var cards: [String: [Record]] = [:]
        for stage in pipeline.stages where sums.contains(where: { $0.stageID == stage.id }) {
            var column = query
            column.filters.append(
                .init(
                    target: .standard(name: "stage_id", kind: .reference("stages")), op: .equals,
                    value: .string(stage.id)))
            cards[stage.id] = try await deals.list(
                viewer, query: column, limit: Board.cardsPerColumn, after: nil
            ).records
        }
        return Board(pipeline: pipeline, cards: cards, sums: sums)
    }

    /// Moves every deal of `stages` to `target`, each as a move of its own (history, events, lifecycle).
    func moveDeals(of stages: [Stage], to target: String, principal: Principal) async throws {
        let deals = RecordService(services, schema: .deals)
        let actor = Actor(.user, id: principal.user.id)
        for stage in stages {
            for deal in try await deals.repository.records(
                where: "stage_id", is: stage.id, workspaceID: principal.workspace.id, on: services.store.database)
            {
                _ = try await deals.update(
                    .system(principal.workspace.id), id: deal.id, patch: ["stage_id": .string(target)],
                    expectedVersion: nil, actor: actor)
            }
        }
    }

    func hasDeals(_ pipeline: Pipeline, inOtherCurrencyThan currency: String, workspaceID: String) async throws -> Bool
    {
        try await RecordRepository(store: services.store, schema: .deals).records(
            where: "pipeline_id", is: pipeline.id, workspaceID: workspaceID, on: services.store.database
        ).contains { $0.string("currency").map { $0 != currency } ?? false }
    }
}

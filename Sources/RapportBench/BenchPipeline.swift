import Foundation
import RapportCore
import RapportDatabase
import RapportServer
import RapportServices
import RapportStore

extension BenchWorkloads {
    /// Deals in the workspace's first pipeline, each with its walk through the stages: a tenth open (in any
    /// open stage), the rest won (two in five) or lost; about five transitions a deal over the past year.
    /// - Returns: how many deals and transitions were written.
    func generateDeals(_ count: Int) async throws -> (deals: Int, transitions: Int) {
        let workspace = info.workspaceID
        guard let pipeline = try await PipelineService(runtime.services).all(.system(workspace)).first else {
            throw RapportError(.badRequest, "bench pipeline: the workspace has no pipeline.")
        }
        let open = pipeline.stages.filter { $0.kind == .open }
        guard let won = pipeline.wonStage, let lost = pipeline.stages.first(where: { $0.kind == .lost }) else {
            throw RapportError(.badRequest, "bench pipeline: the pipeline has no won or lost stage.")
        }
        var random = SeededGenerator(seed: info.seed &+ 23)
        let columns = [
            "workspace_id", "id", "name", "amount", "currency", "pipeline_id", "stage_id", "owner_id", "team_id",
            "company_id", "contact_ids", "contact_roles", "expected_close_date", "source", "tags", "status",
            "lost_reason", "closed_at", "line_items", "custom", "version", "created_at", "updated_at",
        ]
        let now = Timestamp.micros(Date())
        let day: Int64 = 86_400_000_000
        var written = (deals: 0, transitions: 0)
        var rows: [[DBValue]] = []
        var history: [[DBValue]] = []
        let references = BenchReferences(store: runtime.store)
        for index in 0..<count {
            let id = RecordID.make()
            let created = now - Int64.random(in: 30...365, using: &random) * day
            var at = created
            var path: [Stage] = [open[0]]
            let isOpen = index % 10 == 0
            // a walk forward through the open stages, now and then a step back
            let depth =
                isOpen ? Int.random(in: 0..<open.count, using: &random) : Int.random(in: 1..<open.count, using: &random)
            for step in 1...max(depth, 1) where step < open.count {
                path.append(open[step])
                if Int.random(in: 0..<8, using: &random) == 0 { path.append(open[step - 1]); path.append(open[step]) }
            }
            if !isOpen { path.append(Int.random(in: 0..<5, using: &random) < 2 ? won : lost) }
            var previous: String?
            for stage in path {
                history.append([
                    .text(workspace), .text(RecordID.make()), .text(id), .text(pipeline.id),
                    previous.map(DBValue.text) ?? .null, .text(stage.id), .int(at), .text("system"), .null,
                ])
                previous = stage.id
                at = min(now - 1, at + Int64.random(in: 1...20, using: &random) * day / 2)
            }
            let last = path.last!
            let close = now + Int64.random(in: -10...330, using: &random) * day
            rows.append([
                .text(workspace), .text(id), .text("Bench deal \(index + 1)"),
                .int(Int64.random(in: 10...5_000, using: &random) * 10_000), .text("DKK"), .text(pipeline.id),
                .text(last.id), .text(info.ownerID), .null, .null, .text("[]"), .text("{}"),
                .text(String(Timestamp.rfc3339(close).prefix(10))), .text("bench"), .text("[]"),
                .text(last.kind.status), last.kind == .lost ? .text("Price") : .null,
                last.kind == .open ? .null : .int(at), .text("[]"), .text("{}"), .int(1), .int(created), .int(at),
            ])
            if rows.count == 5_000 || index == count - 1 {
                try await references.insertDeals(columns: columns, rows: rows, history: history)
                written.deals += rows.count
                written.transitions += history.count
                rows.removeAll(keepingCapacity: true)
                history.removeAll(keepingCapacity: true)
            }
        }
        // what a funnel reads, as moves through the services keep it (written in bulk here, so computed once)
        try await StageHistoryRepository(store: runtime.store).refreshAll(workspaceID: workspace)
        try await references.analyze()
        return written
    }

    /// The board, the funnel and the forecast of a pipeline at scale, each against the same statements
    /// written by hand and sent straight through the driver. Ratio: the reference's p99 over Rapport's.
    package func pipeline(deals: Int) async throws -> [BenchResult] {
        let generated = try await generateDeals(deals)
        FileHandle.standardError.write(
            Data("bench: \(generated.deals) deals with \(generated.transitions) stage transitions\n".utf8))
        let workspace = info.workspaceID
        let service = PipelineService(runtime.services)
        let pipeline = try await service.all(.system(workspace)).first!
        let references = BenchReferences(store: runtime.store)
        let runs = Array(repeating: 0, count: 300)
        let now = Timestamp.micros(Date())
        let yearAgo = now - 365 * 86_400_000_000
        var results: [BenchResult] = []
        func compare(
            _ name: String, _ rapport: @escaping () async throws -> Void, _ reference: @escaping () async throws -> Void
        ) async throws {
            try await rapport()
            try await reference()  // (both warm)
            // (at least ten runs, and as many as fit in 15 s: a funnel at full scale takes seconds)
            func measure(_ operation: () async throws -> Void) async throws -> (latencies: [Double], elapsed: Double) {
                var latencies: [Double] = []
                let start = BenchClock.now()
                while latencies.count < runs.count && (latencies.count < 10 || BenchClock.now() - start < 15) {
                    let began = BenchClock.now()
                    try await operation()
                    latencies.append(BenchClock.now() - began)
                }
                return (latencies, BenchClock.now() - start)
            }
            let measured = try await measure(rapport)
            let hand = try await measure(reference)
            var result = self.result(
                name, operations: measured.latencies.count, seconds: measured.elapsed, latencies: measured.latencies)
            result.against(p99Ms: BenchClock.percentile(hand.latencies, 0.99))
            results.append(result)
        }
        try await compare("pipeline.board") {
            _ = try await service.board(.system(workspace), pipelineID: pipeline.id, filters: [])
        } _: {
            try await references.board(
                workspaceID: workspace, pipelineID: pipeline.id, stageIDs: pipeline.stages.map(\.id))
        }
        try await compare("pipeline.funnel") {
            _ = try await service.funnel(
                .system(workspace), pipelineID: pipeline.id, ownerID: nil, from: yearAgo, to: now)
        } _: {
            try await references.funnel(workspaceID: workspace, pipelineID: pipeline.id, from: yearAgo, to: now)
        }
        try await compare("pipeline.forecast") {
            _ = try await service.forecast(
                .system(workspace), pipelineID: pipeline.id, currency: "DKK", grouping: .month,
                window: TimeWindow(from: 0, to: .max))
        } _: {
            try await references.forecast(workspaceID: workspace, pipelineID: pipeline.id, currency: "DKK")
        }
        return results
    }
}

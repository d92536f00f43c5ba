import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

/// The funnel on a stage history built by hand, checked figure by figure (the arithmetic is written
/// next to each expectation, as docs/metrics.md defines it).
@Suite("Pipeline funnel")
struct FunnelAPITests {
    static let day: Int64 = 86_400_000_000
    /// 2026-01-01T00:00:00Z.
    static let start: Int64 = 1_767_225_600_000_000

    /// A deal created on `days[0]` in the first stage named, entering each next stage on its day.
    static func deal(
        _ app: TestApp, workspaceID: String, pipeline: Pipeline, owner: String, path: [(String, Int64)]
    ) async throws {
        let store = app.services.store
        let repository = RecordRepository(store: store, schema: .deals)
        let created = start + path[0].1 * day
        var record = Record.empty(.deals, workspaceID: workspaceID, now: created)
        let last = try #require(pipeline.stages.first { $0.name == path.last!.0 })
        record.values["name"] = .string(path.map(\.0).joined(separator: " → "))
        record.values["pipeline_id"] = .string(pipeline.id)
        record.values["stage_id"] = .string(last.id)
        record.values["owner_id"] = .string(owner)
        record.values["status"] = .string(last.kind.status)
        if last.kind != .open {
            record.values["closed_at"] = .string(Timestamp.rfc3339(start + path.last!.1 * day))
        }
        if last.kind == .lost { record.values["lost_reason"] = .string("Price") }
        let rows = repository.newRows(
            [record], actor: Actor(.system, id: nil), now: created, importID: nil, referenceTitles: [:])
        var transitions: [StageTransition] = []
        var previous: String?
        for (name, day) in path {
            let stage = try #require(pipeline.stages.first { $0.name == name })
            transitions.append(
                StageTransition(
                    workspaceID: workspaceID, dealID: record.id, pipelineID: pipeline.id, fromStageID: previous,
                    stageID: stage.id, enteredAt: start + day * Self.day, actor: Actor(.system, id: nil)))
            previous = stage.id
        }
        let history = transitions
        try await store.writeRows { session in
            try await repository.insert(rows, on: session)
            try await StageHistoryRepository(store: store).append(history, on: session.sql)
        }
    }

    @Test(
        "entered, advanced, days in stage, win rate and cycle match a history checked by hand",
        arguments: Backend.allCases)
    func constructedHistory(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let rep = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            let workspaceID = seeded.workspace.id
            let pipeline = try #require(
                try await PipelineService(app.services).all(.system(workspaceID)).first)
            // given five deals (Q, D, P, N: the open stages; W won, L lost; days from 2026-01-01)
            let owner = seeded.owner.id
            for (path, who) in [
                ([("Qualify", 0), ("Demo", 2), ("Proposal", 5), ("Won", 10)], owner),  // d1
                ([("Qualify", 1), ("Demo", 4), ("Lost", 6)], owner),  // d2
                ([("Qualify", 3), ("Proposal", 7)], owner),  // d3
                ([("Qualify", 20), ("Won", 21)], owner),  // d4: after the window
                ([("Qualify", 2), ("Demo", 3), ("Qualify", 4), ("Demo", 8), ("Negotiation", 9)], rep.user.id),  // d5
            ] as [([(String, Int64)], String)] {
                try await Self.deal(app, workspaceID: workspaceID, pipeline: pipeline, owner: who, path: path)
            }
            try await app.test { client in
                // (the rep's role sees their own deals)
                let role = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Own deals", "permissions": {"deals": {"actions": ["read"], "visibility": "own"}}}"#)
                let roleID = try #require(role.json["id"] as? String, "\(role.text)")
                let assigned = try await client.json(
                    .patch, "/api/v1/users/\(rep.user.id)", seeded.token, #"{"role": "\#(roleID)"}"#)
                #expect(assigned.status == .ok, "\(assigned.text)")
                // when the funnel of the first 15 days is asked for
                let funnel = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=2026-01-01&to=2026-01-15", seeded.token)
                #expect(funnel.status == .ok, "\(funnel.text)")
                let stages = funnel.json["stages"] as? [[String: Any]] ?? []
                func figures(_ name: String) -> [String: Any] { stages.first { $0["name"] as? String == name } ?? [:] }
                #expect(stages.compactMap { $0["name"] as? String } == ["Qualify", "Demo", "Proposal", "Negotiation"])
                // Qualify: d1, d2, d3, d5 entered (d5 twice), all reached a later stage; stays 2, 3, 4, 1, 4 days
                #expect(figures("Qualify")["entered"] as? Int == 4)
                #expect(figures("Qualify")["advanced"] as? Int == 4)
                #expect(figures("Qualify")["conversion_rate"] as? Double == 1)
                #expect(figures("Qualify")["median_days_in_stage"] as? Double == 3)
                #expect(figures("Qualify")["mean_days_in_stage"] as? Double == 2.8)
                // Demo: d1, d2, d5 entered; d2 was lost, d5 reached Negotiation; stays 3, 2, 1, 1
                #expect(figures("Demo")["entered"] as? Int == 3)
                #expect(figures("Demo")["advanced"] as? Int == 2)
                #expect(figures("Demo")["conversion_rate"] as? Double == 0.6667)
                #expect(figures("Demo")["median_days_in_stage"] as? Double == 1.5)
                #expect(figures("Demo")["mean_days_in_stage"] as? Double == 1.75)
                // Proposal: d1 (won after 5 days) and d3 (still there)
                #expect(figures("Proposal")["entered"] as? Int == 2)
                #expect(figures("Proposal")["advanced"] as? Int == 1)
                #expect(figures("Proposal")["conversion_rate"] as? Double == 0.5)
                #expect(figures("Proposal")["median_days_in_stage"] as? Double == 5)
                // Negotiation: d5 entered and is still there
                #expect(figures("Negotiation")["entered"] as? Int == 1)
                #expect(figures("Negotiation")["advanced"] as? Int == 0)
                #expect(figures("Negotiation")["conversion_rate"] as? Double == 0)
                #expect(figures("Negotiation")["median_days_in_stage"] is NSNull)
                // closed in the window: d1 won after 10 days, d2 lost; d4 was won after it
                #expect(funnel.json["won"] as? Int == 1)
                #expect(funnel.json["lost"] as? Int == 1)
                #expect(funnel.json["win_rate"] as? Double == 0.5)
                #expect(funnel.json["cycle_days_median"] as? Double == 10)
                #expect(funnel.json["cycle_days_mean"] as? Double == 10)
                // then for the owner's deals only, d5 is left out: Qualify stays 2, 3, 4
                let mine = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=2026-01-01&to=2026-01-15&owner_id=\(owner)",
                    seeded.token)
                let qualify = (mine.json["stages"] as? [[String: Any]])?.first ?? [:]
                #expect(qualify["entered"] as? Int == 3)
                #expect(qualify["mean_days_in_stage"] as? Double == 3)
                // and a rep who sees their own deals counts only d5
                let theirs = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=2026-01-01&to=2026-01-15", rep.token)
                let theirQualify = (theirs.json["stages"] as? [[String: Any]])?.first ?? [:]
                #expect(theirQualify["entered"] as? Int == 1)
                #expect(theirs.json["won"] as? Int == 0)
                #expect(theirs.json["win_rate"] is NSNull)
                // a window from day 4 counts d5 in Qualify by its second entry (its first was before the
                // window), and in Demo once, by its entry on day 8, which advanced; d2's entry did not
                let later = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=2026-01-05&to=2026-01-15", seeded.token)
                let laterStages = later.json["stages"] as? [[String: Any]] ?? []
                func laterFigures(_ name: String) -> [String: Any] {
                    laterStages.first { $0["name"] as? String == name } ?? [:]
                }
                #expect(laterFigures("Qualify")["entered"] as? Int == 1)
                #expect(laterFigures("Qualify")["advanced"] as? Int == 1)
                #expect(laterFigures("Qualify")["mean_days_in_stage"] as? Double == 4)
                #expect(laterFigures("Demo")["entered"] as? Int == 2)
                #expect(laterFigures("Demo")["advanced"] as? Int == 1)
                #expect(laterFigures("Proposal")["entered"] as? Int == 2)
                // when Negotiation is moved before Qualify, d5's way from Demo (back to Qualify, then to
                // Negotiation) no longer reaches a stage further on: Demo advanced 1 of 3
                let negotiation = try #require(pipeline.stages.first { $0.name == "Negotiation" })
                let moved = try await client.json(
                    .patch, "/api/v1/pipelines/\(pipeline.id)/stages/\(negotiation.id)", seeded.token,
                    #"{"position": 0}"#)
                #expect(moved.status == .ok, "\(moved.text)")
                let reordered = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=2026-01-01&to=2026-01-15", seeded.token)
                let reorderedStages = reordered.json["stages"] as? [[String: Any]] ?? []
                #expect(
                    reorderedStages.compactMap { $0["name"] as? String } == [
                        "Negotiation", "Qualify", "Demo", "Proposal",
                    ])
                let demo = reorderedStages.first { $0["name"] as? String == "Demo" } ?? [:]
                #expect(demo["entered"] as? Int == 3)
                #expect(demo["advanced"] as? Int == 1)
                // and a window that ends before it starts is refused
                let backwards = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=2026-02-01&to=2026-01-01", seeded.token)
                #expect(backwards.status == .unprocessableContent)
            }
        }
    }

    @Test("a merged deal keeps both deals' stage histories, and the funnel counts them", arguments: Backend.allCases)
    func mergedHistory(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let pipeline = try #require(
                try await PipelineService(app.services).all(.system(seeded.workspace.id)).first)
            let stage = Dictionary(uniqueKeysWithValues: pipeline.stages.map { ($0.name, $0.id) })
            try await app.test { client in
                // given deal A went Qualify → Demo and deal B Qualify → Proposal
                var ids: [String] = []
                for (name, next) in [("A", "Demo"), ("B", "Proposal")] {
                    let made = try await client.json(
                        .post, "/api/v1/deals", seeded.token,
                        #"{"name": "\#(name)", "pipeline_id": "\#(pipeline.id)", "stage_id": "\#(stage["Qualify"] ?? "")"}"#
                    )
                    let id = try #require(made.json["id"] as? String, "\(made.text)")
                    let moved = try await client.json(
                        .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stage[next] ?? "")"}"#)
                    #expect(moved.status == .ok, "\(moved.text)")
                    ids.append(id)
                }
                // when B is merged into A
                let merged = try await client.json(
                    .post, "/api/v1/deals/\(ids[0])/merge", seeded.token, #"{"other_id": "\#(ids[1])"}"#)
                #expect(merged.status == .ok, "\(merged.text)")
                // then the funnel of today counts one deal, which entered Qualify, Demo and Proposal
                let today = String(Timestamp.rfc3339(Timestamp.micros(Date())).prefix(10))
                let funnel = try await client.json(
                    .get, "/api/v1/pipelines/\(pipeline.id)/funnel?from=\(today)&to=\(today)", seeded.token)
                let stages = funnel.json["stages"] as? [[String: Any]] ?? []
                func entered(_ name: String) -> Int? {
                    stages.first { $0["name"] as? String == name }?["entered"] as? Int
                }
                #expect(entered("Qualify") == 1, "\(funnel.text)")
                #expect(entered("Demo") == 1)
                #expect(entered("Proposal") == 1)
            }
        }
    }
}

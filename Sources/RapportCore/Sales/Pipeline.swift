import Foundation

/// A sales pipeline: the ordered stages a workspace's deals go through.
package struct Pipeline: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    package var name: String
    /// The currency its forecast is in; when set, its deals are in it.
    package var currency: String?
    /// Its place among the workspace's pipelines.
    package var position: Int
    package var stages: [Stage]
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64

    package init(
        id: String, workspaceID: String, name: String, currency: String?, position: Int, stages: [Stage],
        version: Int64, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.currency = currency
        self.position = position
        self.stages = stages
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A stage of this pipeline by id.
    package func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// Where a new deal starts: the first open stage.
    package var firstOpenStage: Stage? { stages.first { $0.kind == .open } }

    /// The stage deals are won in.
    package var wonStage: Stage? { stages.first { $0.kind == .won } }
}

/// One step of a pipeline.
package struct Stage: Sendable, Equatable {
    package var id: String
    package var name: String
    /// The chance, 0 to 100, that a deal in this stage is won: weighs the forecast.
    package var probability: Int
    package var kind: StageKind
    /// Its place in the pipeline, from 0.
    package var position: Int

    package init(id: String, name: String, probability: Int, kind: StageKind, position: Int) {
        self.id = id
        self.name = name
        self.probability = probability
        self.kind = kind
        self.position = position
    }
}

/// Whether a stage holds open deals or closes them.
package enum StageKind: String, Sendable, CaseIterable {
    case open, won, lost

    /// A deal's status in a stage of this kind.
    package var status: String { rawValue }
}

/// A stage as a client describes it, before it has an id.
package struct StageDraft: Sendable, Equatable {
    /// Set to keep an existing stage (and its deals) when a pipeline's stages are replaced.
    package var id: String?
    package var name: String
    package var probability: Int
    package var kind: StageKind

    package init(id: String? = nil, name: String, probability: Int, kind: StageKind) {
        self.id = id
        self.name = name
        self.probability = probability
        self.kind = kind
    }
}

extension Pipeline {
    /// What a new workspace starts with.
    package static let defaultName = "Sales"
    package static let defaultStages = [
        StageDraft(name: "Qualify", probability: 10, kind: .open),
        StageDraft(name: "Demo", probability: 30, kind: .open),
        StageDraft(name: "Proposal", probability: 60, kind: .open),
        StageDraft(name: "Negotiation", probability: 80, kind: .open),
        StageDraft(name: "Won", probability: 100, kind: .won),
        StageDraft(name: "Lost", probability: 0, kind: .lost),
    ]

    /// What is wrong with a pipeline's name and stages: every issue names its member (`stages[2].kind`).
    package static func issues(name: String?, stages: [StageDraft]?) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let name {
            let trimmed = name.trimmed()
            if trimmed.isEmpty { issues.append(FieldIssue("name", key: "pipeline_name", "A pipeline needs a name.")) }
            if trimmed.count > 200 {
                issues.append(
                    FieldIssue("name", key: "too_long", "Must be at most {count} characters.", ["count": "200"]))
            }
            if RecordPatch.hasForbiddenControl(trimmed) {
                issues.append(FieldIssue("name", key: "control_characters", "Must not contain control characters."))
            }
        }
        guard let stages else { return issues }
        if stages.isEmpty || stages.count > 50 {
            issues.append(FieldIssue("stages", key: "stage_count", "A pipeline has 2 to 50 stages."))
        }
        var names: Set<String> = []
        for (index, stage) in stages.enumerated() {
            let trimmed = stage.name.trimmed()
            if trimmed.isEmpty || trimmed.count > 100 || RecordPatch.hasForbiddenControl(trimmed) {
                issues.append(
                    FieldIssue(
                        "stages[\(index)].name", key: "stage_name", "A stage needs a name of up to 100 characters."))
            } else if !names.insert(SearchKey.normalize(trimmed)).inserted {
                issues.append(
                    FieldIssue(
                        "stages[\(index)].name", key: "stage_name_taken", "Two stages cannot have the same name."))
            }
            if !(0...100).contains(stage.probability) {
                issues.append(
                    FieldIssue("stages[\(index)].probability", key: "stage_probability", "The probability is 0 to 100.")
                )
            }
        }
        if !stages.isEmpty {
            if stages.filter({ $0.kind == .won }).count != 1 {
                issues.append(FieldIssue("stages", key: "stage_won", "A pipeline has exactly one won stage."))
            }
            if !stages.contains(where: { $0.kind == .lost }) {
                issues.append(FieldIssue("stages", key: "stage_lost", "A pipeline has at least one lost stage."))
            }
            if !stages.contains(where: { $0.kind == .open }) {
                issues.append(FieldIssue("stages", key: "stage_open", "A pipeline has at least one open stage."))
            }
        }
        return issues
    }
}

import RapportCore
import RapportHTTP

/// A pipeline as the API shows it, with its stages in order.
struct PipelineBody: Encodable, Sendable {
    let pipeline: Pipeline

    enum CodingKeys: String, CodingKey {
        case id, name, currency, position, stages
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pipeline.id, forKey: .id)
        try container.encode(pipeline.name, forKey: .name)
        try container.encode(pipeline.currency, forKey: .currency)
        try container.encode(pipeline.position, forKey: .position)
        try container.encode(pipeline.stages.map(StageBody.init), forKey: .stages)
        try container.encode(Timestamp.rfc3339(pipeline.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.rfc3339(pipeline.updatedAt), forKey: .updatedAt)
    }
}

/// One stage of a pipeline.
struct StageBody: Encodable, Sendable {
    let stage: Stage

    init(_ stage: Stage) {
        self.stage = stage
    }

    enum CodingKeys: String, CodingKey {
        case id, name, probability, kind, position
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stage.id, forKey: .id)
        try container.encode(stage.name, forKey: .name)
        try container.encode(stage.probability, forKey: .probability)
        try container.encode(stage.kind.rawValue, forKey: .kind)
        try container.encode(stage.position, forKey: .position)
    }
}

/// A pipeline's funnel (docs/metrics.md).
struct FunnelBody: Encodable, Sendable {
    let funnel: Funnel

    enum CodingKeys: String, CodingKey {
        case stages, won, lost
        case winRate = "win_rate"
        case cycleDaysMedian = "cycle_days_median"
        case cycleDaysMean = "cycle_days_mean"
    }

    enum StageKeys: String, CodingKey {
        case name, entered, advanced
        case stageID = "stage_id"
        case conversionRate = "conversion_rate"
        case medianDaysInStage = "median_days_in_stage"
        case meanDaysInStage = "mean_days_in_stage"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var stages = container.nestedUnkeyedContainer(forKey: .stages)
        for stage in funnel.stages {
            var nested = stages.nestedContainer(keyedBy: StageKeys.self)
            try nested.encode(stage.stageID, forKey: .stageID)
            try nested.encode(stage.name, forKey: .name)
            try nested.encode(stage.entered, forKey: .entered)
            try nested.encode(stage.advanced, forKey: .advanced)
            try nested.encode(stage.conversionRate, forKey: .conversionRate)
            try nested.encode(stage.medianDaysInStage, forKey: .medianDaysInStage)
            try nested.encode(stage.meanDaysInStage, forKey: .meanDaysInStage)
        }
        try container.encode(funnel.won, forKey: .won)
        try container.encode(funnel.lost, forKey: .lost)
        try container.encode(funnel.winRate, forKey: .winRate)
        try container.encode(funnel.cycleDaysMedian, forKey: .cycleDaysMedian)
        try container.encode(funnel.cycleDaysMean, forKey: .cycleDaysMean)
    }
}

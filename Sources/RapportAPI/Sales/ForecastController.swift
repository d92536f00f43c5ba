import Foundation
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `GET /api/v1/forecast?pipeline_id=&currency=&from=&to=&group_by=month|owner`: the weighted pipeline
/// of the deals the caller sees, beside won to date and the best case.
package struct ForecastController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        api.get("forecast", use: forecast)
    }

    @Sendable func forecast(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = Dictionary(QueryItems.parse(request.uri.query), uniquingKeysWith: { first, _ in first })
        var issues: [FieldIssue] = []
        for key in query.keys.sorted() where !["pipeline_id", "currency", "from", "to", "group_by"].contains(key) {
            issues.append(FieldIssue(key, "Unknown parameter."))
        }
        let grouping = Forecast.Grouping(rawValue: query["group_by"] ?? "month")
        if grouping == nil { issues.append(FieldIssue("group_by", "Must be month or owner.")) }
        var currency: String?
        if let text = query["currency"] {
            currency = Currencies.code(text)
            if currency == nil {
                issues.append(FieldIssue("currency", key: "currency", "Must be an ISO 4217 currency code such as DKK."))
            }
        }
        var window: TimeWindow?
        do {
            window = try TimeWindow.parse(from: query["from"], to: query["to"], now: nil)
        } catch let error as RapportError {
            issues += error.fields
        }
        let pipelines = PipelineService(services)
        var pipelineID = query["pipeline_id"]?.lowercased()
        if pipelineID == nil { pipelineID = try await pipelines.all(principal.viewer).first?.id }
        guard issues.isEmpty, let grouping, let window, let pipelineID else { throw RapportError.invalid(issues) }
        let viewer = principal.viewer
        do {
            _ = try await pipelines.get(viewer, id: pipelineID)
        } catch let error as RapportError where error.code == .notFound {
            throw RapportError.invalid([FieldIssue("pipeline_id", key: "no_such_pipeline", "No such pipeline.")])
        }
        let forecast = try await pipelines.forecast(
            viewer, pipelineID: pipelineID, currency: currency, grouping: grouping, window: window)
        return try JSONCoding.response(ForecastBody(forecast: forecast))
    }
}

/// A forecast as the API shows it.
struct ForecastBody: Encodable, Sendable {
    let forecast: Forecast

    enum CodingKeys: String, CodingKey {
        case currency, rows, total
        case pipelineID = "pipeline_id"
        case groupBy = "group_by"
    }

    enum RowKeys: String, CodingKey {
        case month, weighted, won
        case ownerID = "owner_id"
        case bestCase = "best_case"
        case openDeals = "open_deals"
        case wonDeals = "won_deals"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(forecast.pipelineID, forKey: .pipelineID)
        try container.encode(forecast.currency, forKey: .currency)
        try container.encode(forecast.grouping.rawValue, forKey: .groupBy)
        var rows = container.nestedUnkeyedContainer(forKey: .rows)
        for row in forecast.rows {
            var nested = rows.nestedContainer(keyedBy: RowKeys.self)
            try encode(row, into: &nested)
        }
        var total = container.nestedContainer(keyedBy: RowKeys.self, forKey: .total)
        try encode(forecast.total, into: &total, key: false)
    }

    func encode(_ row: Forecast.Row, into container: inout KeyedEncodingContainer<RowKeys>, key: Bool = true) throws {
        if key {
            try container.encode(row.key, forKey: forecast.grouping == .month ? .month : .ownerID)
        }
        try container.encode(row.weighted, forKey: .weighted)
        try container.encode(row.bestCase, forKey: .bestCase)
        try container.encode(row.won, forKey: .won)
        try container.encode(row.openDeals, forKey: .openDeals)
        try container.encode(row.wonDeals, forKey: .wonDeals)
    }
}

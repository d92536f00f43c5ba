import Foundation
package import RapportCore
import SQLKit

/// The sums a forecast is made of, over the deals of one pipeline and currency the reader sees.
package struct ForecastRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Open deals by month of expected close (or owner), with Σ amount × probability; won deals by month
    /// closed (or owner). Open deals count when their expected close date is in `[fromDay, toDay)` or
    /// they have none; won deals when they closed in `[from, to)` (microseconds).
    package func sums(
        _ reach: RecordScope, pipelineID: String, currency: String, grouping: Forecast.Grouping, fromDay: String,
        toDay: String, from: Int64, to: Int64
    ) async throws -> (
        open: [(key: String?, weightedHundredths: Int64, amount: Int64, count: Int)],
        won: [(key: String?, amount: Int64, count: Int)]
    ) {
        let openKey = grouping == .month ? "substr(d.expected_close_date, 1, 7)" : "d.owner_id"
        let wonKey = grouping == .month ? store.kind.monthOfMicros("d.closed_at") : "d.owner_id"
        let open = try await store.database.raw(
            """
            SELECT \(unsafeRaw: openKey) AS k, CAST(SUM(d.amount * s.probability) AS BIGINT) AS weighted, CAST(SUM(d.amount) AS BIGINT) AS amount, COUNT(*) AS n
            FROM deals d JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
            WHERE \(reach.sql(prefix: "d.")) AND d.pipeline_id = \(bind: pipelineID) AND d.status = 'open'
            AND d.currency = \(bind: currency) AND d.amount IS NOT NULL
            AND (d.expected_close_date IS NULL OR (d.expected_close_date >= \(bind: fromDay) AND d.expected_close_date < \(bind: toDay)))
            GROUP BY \(unsafeRaw: openKey)
            """
        ).all().map { row in
            (
                key: try row.decode(column: "k", as: String?.self),
                weightedHundredths: try row.decode(column: "weighted", as: Int64.self),
                amount: try row.decode(column: "amount", as: Int64.self),
                count: try row.decode(column: "n", as: Int.self)
            )
        }
        let won = try await store.database.raw(
            """
            SELECT \(unsafeRaw: wonKey) AS k, CAST(SUM(d.amount) AS BIGINT) AS amount, COUNT(*) AS n FROM deals d
            WHERE \(reach.sql(prefix: "d.")) AND d.pipeline_id = \(bind: pipelineID) AND d.status = 'won'
            AND d.currency = \(bind: currency) AND d.amount IS NOT NULL
            AND d.closed_at >= \(bind: from) AND d.closed_at < \(bind: to)
            GROUP BY \(unsafeRaw: wonKey)
            """
        ).all().map { row in
            (
                key: try row.decode(column: "k", as: String?.self),
                amount: try row.decode(column: "amount", as: Int64.self),
                count: try row.decode(column: "n", as: Int.self)
            )
        }
        return (open, won)
    }

    /// The currency most of a pipeline's deals with an amount are in; nil when none has one.
    package func usualCurrency(_ reach: RecordScope, pipelineID: String) async throws -> String? {
        try await store.database.raw(
            """
            SELECT currency, COUNT(*) AS n FROM deals
            WHERE \(reach.sql()) AND pipeline_id = \(bind: pipelineID) AND currency IS NOT NULL AND amount IS NOT NULL
            GROUP BY currency ORDER BY n DESC, currency LIMIT 1
            """
        ).first()?.decode(column: "currency", as: String.self)
    }
}

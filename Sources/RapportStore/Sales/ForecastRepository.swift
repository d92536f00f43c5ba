import Foundation
package import RapportCore
import RapportDatabase
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
        let (visible, binds) = reach.condition(prefix: "d.")
        // An open window adds no condition: a range on `closed_at` would lead SQLite to the index of close
        // times and a table lookup per closed deal, where the covering index of sums reads them all.
        let bounded = fromDay > "0000-01-01" || toDay < "9999-12-31"
        let dated: (sql: String, binds: [DBValue]) =
            bounded
            ? (
                "AND (d.expected_close_date IS NULL OR (d.expected_close_date >= ? AND d.expected_close_date < ?))",
                [.text(fromDay), .text(toDay)]
            ) : ("", [])
        let closed: (sql: String, binds: [DBValue]) =
            from > 0 || to < .max ? ("AND d.closed_at >= ? AND d.closed_at < ?", [.int(from), .int(to)]) : ("", [])
        // (read through the driver directly, as the other hot reads: the sums are the whole of the work)
        return try await store.readRows { session in
            let open = try await session.rows(
                """
                SELECT \(openKey), CAST(SUM(d.amount * s.probability) AS BIGINT), CAST(SUM(d.amount) AS BIGINT), COUNT(*)
                FROM deals d JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
                WHERE \(visible) AND d.pipeline_id = ? AND d.status = 'open' AND d.currency = ? AND d.amount IS NOT NULL
                \(dated.sql)
                GROUP BY \(openKey)
                """, binds + [.text(pipelineID), .text(currency)] + dated.binds
            ).map { row in
                (
                    key: row[0].text, weightedHundredths: row[1].int ?? 0, amount: row[2].int ?? 0,
                    count: Int(row[3].int ?? 0)
                )
            }
            let won = try await session.rows(
                """
                SELECT \(wonKey), CAST(SUM(d.amount) AS BIGINT), COUNT(*) FROM deals d
                WHERE \(visible) AND d.pipeline_id = ? AND d.status = 'won' AND d.currency = ? AND d.amount IS NOT NULL
                \(closed.sql)
                GROUP BY \(wonKey)
                """, binds + [.text(pipelineID), .text(currency)] + closed.binds
            ).map { row in (key: row[0].text, amount: row[1].int ?? 0, count: Int(row[2].int ?? 0)) }
            return (open, won)
        }
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

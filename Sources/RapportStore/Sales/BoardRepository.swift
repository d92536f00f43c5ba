import Foundation
package import RapportCore
import RapportDatabase
import SQLKit

/// What a pipeline's board adds up: each column's deals, by currency, with the same filters and
/// visibility as the list of its cards.
package struct BoardRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The count and the sum of amounts of the deals `query` matches, per stage and currency.
    package func columns(_ reach: RecordScope, query: ListQuery) async throws -> [Board.Sum] {
        let deals = RecordRepository(store: store, schema: .deals)
        let statement: SQLQueryString =
            "SELECT stage_id, currency, count(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deals WHERE "
            + deals.conditions(reach, query: query, within: nil, search: [], dialect: SQLFragments(kind: store.kind))
            + " GROUP BY stage_id, currency"
        return try await store.readRows { try await $0.rows(statement) }.map { row in
            Board.Sum(
                stageID: row[0].text ?? "", currency: row[1].text, count: Int(row[2].int ?? 0),
                amount: row[3].int ?? 0)
        }
    }
}

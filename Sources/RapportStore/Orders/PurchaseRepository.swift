import Foundation
package import RapportCore
import RapportDatabase

/// A customer's purchases summed by the database: their orders by currency, and the products on them
/// (from `record_links`, which keeps each order's products once).
package struct PurchaseRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The purchases of the contact or company `customerID` (`column`: `contact_id` or `company_id`),
    /// over the orders inside `reach`.
    package func summary(_ reach: RecordScope, column: String, customerID: String) async throws -> PurchaseSummary {
        precondition(column == "contact_id" || column == "company_id")
        let (visible, visibleBinds) = reach.condition(prefix: "o.", owned: ObjectType.orders.isOwned)
        let customer: [DBValue] = [.text(customerID)]
        let totals = """
            SELECT o.currency, COUNT(*), CAST(SUM(o.total) AS BIGINT), MAX(o.ordered_at) FROM orders o
            WHERE \(visible) AND o.\(column) = ? GROUP BY o.currency ORDER BY SUM(o.total) DESC, o.currency
            """
        // (the products of each order are its links: one per order and product)
        let products = """
            SELECT l.target_id, MAX(p.name), COUNT(*) FROM record_links l
            JOIN orders o ON o.workspace_id = l.workspace_id AND o.id = l.record_id
            LEFT JOIN products p ON p.workspace_id = l.workspace_id AND p.id = l.target_id
            WHERE l.workspace_id = ? AND l.object = 'orders' AND l.field = 'lines' AND \(visible) AND o.\(column) = ?
            GROUP BY l.target_id ORDER BY COUNT(*) DESC, MAX(p.name), l.target_id LIMIT \(PurchaseSummary.productLimit)
            """
        let workspace = DBValue.text(reach.workspaceID)
        return try await store.readRows { session in
            var spent: [PurchaseSummary.Spent] = []
            var count = 0
            var last: Int64?
            for row in try await session.rows(totals, visibleBinds + customer) {
                let orders = Int(row[1].int ?? 0)
                count += orders
                if let at = row[3].int { last = max(last ?? at, at) }
                if let currency = row[0].text {
                    spent.append(.init(currency: currency, total: row[2].int ?? 0, orders: orders))
                }
            }
            let bought = try await session.rows(products, [workspace] + visibleBinds + customer).compactMap { row in
                row[0].text.map {
                    PurchaseSummary.Product(productID: $0, name: row[1].text, orders: Int(row[2].int ?? 0))
                }
            }
            return PurchaseSummary(
                orderCount: count, lastOrderedAt: last, spent: spent,
                products: bought)
        }
    }
}

import Foundation

/// What a customer (a contact or a company) has bought, over the orders a viewer may see: when they
/// last ordered, how many orders, what they spent in each currency and which products.
package struct PurchaseSummary: Sendable, Equatable {
    /// The money spent in one currency, in its minor units, over so many orders.
    package struct Spent: Sendable, Equatable {
        package var currency: String
        package var total: Int64
        package var orders: Int

        package init(currency: String, total: Int64, orders: Int) {
            self.currency = currency
            self.total = total
            self.orders = orders
        }
    }

    /// A product bought, with the number of orders it was on.
    package struct Product: Sendable, Equatable {
        package var productID: String
        /// Nil for a product since deleted.
        package var name: String?
        package var orders: Int

        package init(productID: String, name: String?, orders: Int) {
            self.productID = productID
            self.name = name
            self.orders = orders
        }
    }

    package var orderCount: Int
    /// When the newest order was placed (microseconds); nil for a customer with none.
    package var lastOrderedAt: Int64?
    /// By currency code.
    package var spent: [Spent]
    /// The most bought first (on the most orders), at most `productLimit`.
    package var products: [Product]

    /// At most this many products are listed.
    package static let productLimit = 20

    package init(orderCount: Int, lastOrderedAt: Int64?, spent: [Spent], products: [Product]) {
        self.orderCount = orderCount
        self.lastOrderedAt = lastOrderedAt
        self.spent = spent
        self.products = products
    }
}

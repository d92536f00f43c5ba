import RapportCore

/// A customer's purchases as the API shows them: `order_count`, `last_ordered_at`, `spent` per currency
/// and `products` bought (money in minor units).
struct PurchasesBody: Encodable, Sendable {
    let summary: PurchaseSummary

    enum CodingKeys: String, CodingKey {
        case spent, products
        case orderCount = "order_count"
        case lastOrderedAt = "last_ordered_at"
    }

    enum SpentKeys: String, CodingKey { case currency, total, orders }
    enum ProductKeys: String, CodingKey {
        case name, orders
        case productID = "product_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary.orderCount, forKey: .orderCount)
        try container.encode(summary.lastOrderedAt.map(Timestamp.rfc3339), forKey: .lastOrderedAt)
        var spent = container.nestedUnkeyedContainer(forKey: .spent)
        for item in summary.spent {
            var entry = spent.nestedContainer(keyedBy: SpentKeys.self)
            try entry.encode(item.currency, forKey: .currency)
            try entry.encode(item.total, forKey: .total)
            try entry.encode(item.orders, forKey: .orders)
        }
        var products = container.nestedUnkeyedContainer(forKey: .products)
        for item in summary.products {
            var entry = products.nestedContainer(keyedBy: ProductKeys.self)
            try entry.encode(item.productID, forKey: .productID)
            try entry.encode(item.name, forKey: .name)
            try entry.encode(item.orders, forKey: .orders)
        }
    }
}

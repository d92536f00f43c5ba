import Foundation
import RapportCore
import RapportStore
import SQLKit

/// What an order does beyond its fields: a product added to its lines must be on sale, and a new order
/// is a `purchase` on its customer's timeline (the contact's, the company's, and the deal's when it
/// names one), at the time it was placed.
struct OrderEffects: RecordEffects {
    func prepare(
        _ record: inout Record, before: Record?, viewer: Viewer, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws {
        // (lines already on the order may keep a product retired since)
        try await DealEffects.checkProducts(record, before: before, field: "lines", services: services, on: database)
    }

    func written(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws -> [TimelineEvent] {
        guard before == nil else { return [] }
        let products = RecordRepository(store: services.store, schema: .products)
        var names: [String: String] = [:]
        for line in LineItem.lines(of: record["lines"]) where names[line.productID] == nil {
            names[line.productID] =
                try await products.title(workspaceID: record.workspaceID, id: line.productID, on: database) ?? ""
        }
        return [Self.purchase(record, productNames: names, actor: actor, now: now)].compactMap { $0 }
    }

    /// The `purchase` event of a new order: on its contact's and company's timelines (and its deal's), at
    /// the time it was placed, with its total, currency and what was bought. Nil for an order without a
    /// customer.
    static func purchase(_ order: Record, productNames: [String: String], actor: Actor, now: Int64) -> TimelineEvent? {
        let contact = order.string("contact_id")
        let company = order.string("company_id")
        guard contact != nil || company != nil else { return nil }
        let at = order.string("ordered_at").flatMap(Timestamp.parse).map(Timestamp.micros) ?? now
        let lines = LineItem.lines(of: order["lines"]).map { line -> JSONValue in
            .object([
                "product_id": .string(line.productID),
                "name": productNames[line.productID].map(JSONValue.string) ?? .null,
                "quantity": .number(Double(line.quantity)),
            ])
        }
        return TimelineEvent(
            workspaceID: order.workspaceID, type: "purchase", occurredAt: at, actor: actor, contactID: contact,
            companyID: company, dealID: order.string("deal_id"),
            data: [
                "order_id": .string(order.id), "reference": order["reference"], "total": order["total"],
                "currency": order["currency"], "products": .array(lines),
            ])
    }
}

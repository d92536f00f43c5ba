package import RapportCore
import RapportStore

/// What customers bought, as the contact and company pages and `/api/v1/{contacts,companies}/{id}/purchases`
/// show it: the last order, the number of orders, the money spent per currency and the products, over
/// the orders the viewer may see.
package struct PurchaseService: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// The purchases of a contact or company (without its products for a role that may not read products).
    /// - Throws: `notFound` for a customer the viewer may not see (or another workspace's);
    ///   `forbidden` for a role that may not read orders.
    package func summary(_ viewer: Viewer, of type: ObjectType, id: String) async throws -> PurchaseSummary {
        let column: String
        switch type.name {
        case ObjectType.contacts.name: column = "contact_id"
        case ObjectType.companies.name: column = "company_id"
        default: throw RapportError.notFound("The purchases")
        }
        let customer = try await RecordService(services, schema: type).get(viewer, id: id)
        let reach = try viewer.scope(.read, on: .orders)
        var summary = try await PurchaseRepository(store: services.store).summary(
            reach, column: column, customerID: customer.id)
        // (a role that may not read products is not told which were bought)
        if viewer.scopeIfAllowed(.read, on: .products) == nil { summary.products = [] }
        return summary
    }
}

package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `GET /api/v1/contacts/{id}/purchases` and `/api/v1/companies/{id}/purchases`: what a customer bought.
/// (Orders themselves are generic records: `/api/v1/orders`.)
package struct PurchasesController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        for type in [ObjectType.contacts, .companies] {
            api.get(RouterPath("\(type.name)/:id/purchases")) { request, context in
                let principal = try context.requirePrincipal()
                let summary = try await PurchaseService(services).summary(
                    principal.viewer, of: type, id: try context.parameters.require("id"))
                return try JSONCoding.response(PurchasesBody(summary: summary))
            }
        }
    }
}

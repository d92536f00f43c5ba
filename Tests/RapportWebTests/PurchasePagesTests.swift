import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Purchases on record pages")
struct PurchasePagesTests {
    @Test(
        "a contact's page shows its purchases panel and the purchase on its timeline, in the viewer's language",
        arguments: Backend.allCases)
    func panel(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let viewer = Viewer.system(seeded.workspace.id)
            let actor = Actor(.user, id: seeded.owner.id)
            // given a contact who bought coffee twice and tea once, for 175.00 DKK
            let contact = try await RecordService(app.services, schema: .contacts).create(
                viewer, fields: ["first_name": .string("Oksana"), "email": .string("oksana@nordlys.example")],
                actor: actor)
            let products = RecordService(app.services, schema: .products)
            let coffee = try await products.create(viewer, fields: ["name": .string("Kaffe")], actor: actor)
            let tea = try await products.create(viewer, fields: ["name": .string("Te")], actor: actor)
            let orders = RecordService(app.services, schema: .orders)
            for (time, lines) in [
                ("2026-01-10T12:00:00Z", [(coffee.id, 2.0, 5000.0), (tea.id, 1.0, 3000.0)]),
                ("2026-02-20T08:15:00Z", [(coffee.id, 1.0, 4500.0)]),
            ] {
                _ = try await orders.create(
                    viewer,
                    fields: [
                        "contact_id": .string(contact.id), "ordered_at": .string(time), "currency": .string("DKK"),
                        "lines": .array(
                            lines.map {
                                .object([
                                    "product_id": .string($0.0), "quantity": .number($0.1), "unit_price": .number($0.2),
                                ])
                            }),
                    ], actor: actor)
            }
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // when the owner opens the contact's page
                let page = try await jar.get(client, "/contacts/\(contact.id)")
                #expect(page.status == .ok)
                // then the panel shows the count, the money spent and the products, most bought first
                let panel = try #require(
                    page.text.range(of: #"<section class="card purchases""#).map {
                        String(page.text[$0.lowerBound...].prefix(2000))
                    })
                #expect(panel.contains("Purchases"))
                #expect(panel.contains("<dd>2</dd>"), "\(panel)")
                #expect(panel.contains("175.00"), "\(panel)")
                #expect(panel.contains("DKK"))
                let coffeeAt = try #require(panel.range(of: "Kaffe"))
                let teaAt = try #require(panel.range(of: ">Te<"))
                #expect(coffeeAt.lowerBound < teaAt.lowerBound)
                #expect(panel.contains("in 2 orders"))
                #expect(panel.contains("/products/\(coffee.id)"))
                // and the timeline has the purchase, with its total and what was bought
                #expect(page.text.contains("45.00"), "the newest purchase's total")
                #expect(page.text.contains("1 × Kaffe"))
                // and a contact without orders says so
                let other = try await RecordService(app.services, schema: .contacts).create(
                    viewer, fields: ["first_name": .string("Bo")], actor: actor)
                let empty = try await jar.get(client, "/contacts/\(other.id)")
                #expect(empty.text.contains("No purchases yet."))
                // and a product page has no panel
                let product = try await jar.get(client, "/products/\(coffee.id)")
                #expect(!product.text.contains(#"class="card purchases""#))
            }
        }
    }
}

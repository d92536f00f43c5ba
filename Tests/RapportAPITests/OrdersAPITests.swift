import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportTestSupport
import Testing

/// Orders, the purchases they put on timelines and panels, and the order a won deal records, through
/// the API on both databases.
@Suite("Orders API")
struct OrdersAPITests {
    /// A contact at a company, and two products.
    struct Shop {
        var contact: String
        var company: String
        var coffee: String
        var tea: String
    }

    static func shop(_ client: any TestClientProtocol, _ token: String) async throws -> Shop {
        let company = try await client.json(.post, "/api/v1/companies", token, #"{"name": "Nordlys ApS"}"#)
        let companyID = try #require(company.json["id"] as? String)
        let contact = try await client.json(
            .post, "/api/v1/contacts", token,
            #"{"first_name": "Oksana", "email": "oksana@nordlys.example", "company_id": "\#(companyID)"}"#)
        let coffee = try await client.json(
            .post, "/api/v1/products", token, #"{"name": "Kaffe", "sku": "K-1", "unit_price": 5000, "currency": "DKK"}"#
        )
        let tea = try await client.json(
            .post, "/api/v1/products", token, #"{"name": "Te", "sku": "T-1", "unit_price": 3000, "currency": "DKK"}"#)
        return Shop(
            contact: try #require(contact.json["id"] as? String), company: companyID,
            coffee: try #require(coffee.json["id"] as? String), tea: try #require(tea.json["id"] as? String))
    }

    static func fields(_ response: TestResponse) -> [String] {
        (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    @Test(
        "an order's total is its lines' sum, and it is read, listed, changed and deleted", arguments: Backend.allCases)
    func crud(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let shop = try await Self.shop(client, seeded.token)
                // when an order of two lines is recorded for the contact and its company
                let created = try await client.json(
                    .post, "/api/v1/orders", seeded.token,
                    #"{"reference": "A-1001", "contact_id": "\#(shop.contact)", "company_id": "\#(shop.company)", "ordered_at": "2026-03-01T10:30:00+01:00", "currency": "dkk", "lines": [{"product_id": "\#(shop.coffee)", "quantity": 2, "unit_price": 5000}, {"product_id": "\#(shop.tea)", "quantity": 1, "unit_price": 3000}]}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                // then its total is 2 × 50.00 + 30.00, its time is kept in UTC, and it is the caller's
                #expect(created.json["total"] as? Int == 13_000)
                #expect(created.json["currency"] as? String == "DKK")
                #expect(created.json["ordered_at"] as? String == "2026-03-01T09:30:00.000Z")
                #expect(created.json["owner_id"] as? String == seeded.owner.id)
                #expect(created.json["deal_id"] is NSNull)
                let lines = created.json["lines"] as? [[String: Any]] ?? []
                #expect(lines.map { $0["quantity"] as? Int } == [2, 1])
                #expect(lines.map { $0["discount"] as? Int } == [0, 0])
                // and it is read, and listed for the contact, the company and each product
                let read = try await client.json(.get, "/api/v1/orders/\(id)", seeded.token)
                #expect(read.json["reference"] as? String == "A-1001")
                for path in ["contacts/\(shop.contact)", "companies/\(shop.company)", "products/\(shop.tea)"] {
                    let listed = try await client.json(.get, "/api/v1/\(path)/orders", seeded.token)
                    #expect(
                        (listed.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(path)"
                    )
                }
                // when its lines change, its total follows
                let changed = try await client.json(
                    .patch, "/api/v1/orders/\(id)", seeded.token,
                    #"{"lines": [{"product_id": "\#(shop.tea)", "quantity": 4, "unit_price": 2500}]}"#)
                #expect(changed.status == .ok, "\(changed.text)")
                #expect(changed.json["total"] as? Int == 10_000)
                let teaOnly = try await client.json(.get, "/api/v1/products/\(shop.coffee)/orders", seeded.token)
                #expect((teaOnly.json["data"] as? [Any])?.count == 0)
                // and the list sorts by time and filters by customer
                let newest = try await client.json(
                    .get, "/api/v1/orders?sort=-ordered_at&contact_id=\(shop.contact)", seeded.token)
                #expect((newest.json["data"] as? [[String: Any]])?.count == 1, "\(newest.text)")
                // when it is deleted it is gone
                let deleted = try await client.json(.delete, "/api/v1/orders/\(id)", seeded.token)
                #expect(deleted.status == .noContent)
                let gone = try await client.json(.get, "/api/v1/orders/\(id)", seeded.token)
                #expect(gone.status == .notFound)
            }
        }
    }

    @Test(
        "bad lines, currencies, times and customers are refused naming the field, and change nothing",
        arguments: Backend.allCases)
    func badInput(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let shop = try await Self.shop(client, seeded.token)
                let retired = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Old kettle", "active": false}"#)
                let retiredID = try #require(retired.json["id"] as? String)
                let good = #"{"product_id": "\#(shop.coffee)", "quantity": 1, "unit_price": 5000}"#
                let cases: [(String, [String])] = [
                    (
                        #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [\#(good), {"product_id": "\#(shop.tea)", "quantity": -2, "unit_price": 100}]}"#,
                        ["lines[1].quantity"]
                    ),
                    (
                        #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [\#(good), {"product_id": "\#(shop.tea)", "quantity": 1, "unit_price": -100}]}"#,
                        ["lines[1].unit_price"]
                    ),
                    (#"{"contact_id": "\#(shop.contact)", "currency": "XYZ", "lines": [\#(good)]}"#, ["currency"]),
                    (
                        #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [\#(good), {"product_id": "\#(retiredID)", "quantity": 1, "unit_price": 100}]}"#,
                        ["lines[1].product_id"]
                    ),
                    (#"{"contact_id": "\#(shop.contact)", "currency": "DKK", "lines": []}"#, ["lines"]),
                    (#"{"currency": "DKK", "lines": [\#(good)]}"#, ["contact_id"]),
                    (
                        #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "ordered_at": "2026-03-01", "lines": [\#(good)]}"#,
                        ["ordered_at"]
                    ),
                    (
                        #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "total": 5, "lines": [\#(good)]}"#,
                        ["total"]
                    ),
                ]
                for (body, expected) in cases {
                    let refused = try await client.json(.post, "/api/v1/orders", seeded.token, body)
                    #expect(refused.status == .unprocessableContent, "\(refused.text)")
                    #expect(Self.fields(refused) == expected, "\(refused.text)")
                }
                // then no order was recorded, and no purchase is on the contact's timeline
                let list = try await client.json(.get, "/api/v1/orders", seeded.token)
                #expect((list.json["data"] as? [Any])?.count == 0)
                let timeline = try await client.json(.get, "/api/v1/contacts/\(shop.contact)/timeline", seeded.token)
                let types = (timeline.json["data"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                #expect(!types.contains("purchase"))
                // and a reference another order has is a conflict
                let first = try await client.json(
                    .post, "/api/v1/orders", seeded.token,
                    #"{"reference": "R-1", "contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [\#(good)]}"#)
                #expect(first.status == .created, "\(first.text)")
                let again = try await client.json(
                    .post, "/api/v1/orders", seeded.token,
                    #"{"reference": "R-1", "contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [\#(good)]}"#)
                #expect(again.status == .conflict, "\(again.text)")
                // and an order that has a retired product keeps it when other fields change
                _ = try await client.json(
                    .patch, "/api/v1/products/\(shop.coffee)", seeded.token, #"{"active": false}"#)
                let id = try #require(first.json["id"] as? String)
                let kept = try await client.json(
                    .patch, "/api/v1/orders/\(id)", seeded.token, #"{"ordered_at": "2026-01-02T03:04:05Z"}"#)
                #expect(kept.status == .ok, "\(kept.text)")
            }
        }
    }

    @Test("another workspace's orders and customers answer 404", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let shop = try await Self.shop(client, acme.token)
                let created = try await client.json(
                    .post, "/api/v1/orders", acme.token,
                    #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [{"product_id": "\#(shop.coffee)", "quantity": 1, "unit_price": 5000}]}"#
                )
                let id = try #require(created.json["id"] as? String)
                // then the other workspace neither reads nor changes it, nor sees its customer's purchases
                #expect(try await client.json(.get, "/api/v1/orders/\(id)", other.token).status == .notFound)
                #expect(
                    try await client.json(.patch, "/api/v1/orders/\(id)", other.token, #"{"reference": "X"}"#).status
                        == .notFound)
                #expect(try await client.json(.delete, "/api/v1/orders/\(id)", other.token).status == .notFound)
                #expect(
                    try await client.json(.get, "/api/v1/contacts/\(shop.contact)/purchases", other.token).status
                        == .notFound)
                let list = try await client.json(.get, "/api/v1/orders", other.token)
                #expect((list.json["data"] as? [Any])?.count == 0)
                // and cannot record an order for it, or with its products
                let foreign = try await client.json(
                    .post, "/api/v1/orders", other.token,
                    #"{"contact_id": "\#(shop.contact)", "currency": "DKK", "lines": [{"product_id": "\#(shop.coffee)", "quantity": 1, "unit_price": 5000}]}"#
                )
                #expect(foreign.status == .unprocessableContent)
                #expect(Set(Self.fields(foreign)) == ["contact_id", "lines"], "\(foreign.text)")
            }
        }
    }

    @Test(
        "an order is a purchase on its contact's and company's timelines, and the purchases panel sums them",
        arguments: Backend.allCases)
    func purchases(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let shop = try await Self.shop(client, seeded.token)
                // given no orders, the panel is empty
                let empty = try await client.json(.get, "/api/v1/contacts/\(shop.contact)/purchases", seeded.token)
                #expect(empty.status == .ok, "\(empty.text)")
                #expect(empty.json["order_count"] as? Int == 0)
                #expect(empty.json["last_ordered_at"] is NSNull)
                // when three orders are recorded: two in DKK, one in EUR
                let bodies = [
                    #"{"reference": "P-1", "contact_id": "\#(shop.contact)", "company_id": "\#(shop.company)", "ordered_at": "2026-01-10T12:00:00Z", "currency": "DKK", "lines": [{"product_id": "\#(shop.coffee)", "quantity": 2, "unit_price": 5000}, {"product_id": "\#(shop.tea)", "quantity": 1, "unit_price": 3000}]}"#,
                    #"{"reference": "P-2", "contact_id": "\#(shop.contact)", "company_id": "\#(shop.company)", "ordered_at": "2026-02-20T08:15:00Z", "currency": "DKK", "lines": [{"product_id": "\#(shop.coffee)", "quantity": 1, "unit_price": 4500}]}"#,
                    #"{"reference": "P-3", "contact_id": "\#(shop.contact)", "ordered_at": "2026-02-01T00:00:00Z", "currency": "EUR", "lines": [{"product_id": "\#(shop.coffee)", "quantity": 3, "unit_price": 700}]}"#,
                ]
                for body in bodies {
                    let created = try await client.json(.post, "/api/v1/orders", seeded.token, body)
                    #expect(created.status == .created, "\(created.text)")
                }
                // then the contact's panel: three orders, the last on 20 February, 175.00 DKK and 21.00 EUR,
                // coffee on three orders and tea on one
                let panel = try await client.json(.get, "/api/v1/contacts/\(shop.contact)/purchases", seeded.token)
                #expect(panel.json["order_count"] as? Int == 3, "\(panel.text)")
                #expect(panel.json["last_ordered_at"] as? String == "2026-02-20T08:15:00.000Z")
                let spent = panel.json["spent"] as? [[String: Any]] ?? []
                #expect(spent.map { $0["currency"] as? String } == ["DKK", "EUR"])
                #expect(spent.map { $0["total"] as? Int } == [17_500, 2100])
                #expect(spent.map { $0["orders"] as? Int } == [2, 1])
                let products = panel.json["products"] as? [[String: Any]] ?? []
                #expect(products.map { $0["name"] as? String } == ["Kaffe", "Te"])
                #expect(products.map { $0["orders"] as? Int } == [3, 1])
                // and the company's: the two orders that name it
                let company = try await client.json(.get, "/api/v1/companies/\(shop.company)/purchases", seeded.token)
                #expect(company.json["order_count"] as? Int == 2)
                #expect((company.json["spent"] as? [[String: Any]])?.first?["total"] as? Int == 17_500)
                // and each order is a purchase on the contact's timeline, at its time, with what was bought
                let timeline = try await client.json(
                    .get, "/api/v1/contacts/\(shop.contact)/timeline?type=purchase", seeded.token)
                let events = (timeline.json["data"] as? [[String: Any]] ?? []).filter {
                    $0["type"] as? String == "purchase"
                }
                #expect(events.count == 3, "\(timeline.text)")
                let newest = try #require(events.first)
                #expect(newest["occurred_at"] as? String == "2026-02-20T08:15:00.000Z")
                let data = newest["data"] as? [String: Any] ?? [:]
                #expect(data["total"] as? Int == 4500)
                #expect(data["currency"] as? String == "DKK")
                #expect((data["products"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Kaffe"])
                // and the company's timeline has the purchases that name it
                let companyTimeline = try await client.json(
                    .get, "/api/v1/companies/\(shop.company)/timeline", seeded.token)
                let companyPurchases = (companyTimeline.json["data"] as? [[String: Any]] ?? []).filter {
                    $0["type"] as? String == "purchase"
                }
                #expect(companyPurchases.count >= 2)
            }
        }
    }

    @Test(
        "winning a deal with lines records one order, also when it is reopened and won again",
        arguments: Backend.allCases)
    func wonDeal(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let shop = try await Self.shop(client, seeded.token)
                let (_, stages) = try await DealsAPITests.stages(client, seeded.token)
                // given a deal with a discounted line and another
                let deal = try await client.json(
                    .post, "/api/v1/deals", seeded.token,
                    #"{"name": "Café", "currency": "DKK", "company_id": "\#(shop.company)", "contact_ids": ["\#(shop.contact)"], "line_items": [{"product_id": "\#(shop.coffee)", "quantity": 3, "unit_price": 5000, "discount": 1000}, {"product_id": "\#(shop.tea)", "quantity": 1, "unit_price": 3000}]}"#
                )
                #expect(deal.status == .created, "\(deal.text)")
                let dealID = try #require(deal.json["id"] as? String)
                let amount = try #require(deal.json["amount"] as? Int)
                // when it is won
                let won = try await client.json(
                    .post, "/api/v1/deals/\(dealID)/move", seeded.token, #"{"stage_id": "\#(stages["Won"]!)"}"#)
                #expect(won.json["status"] as? String == "won", "\(won.text)")
                // then one order names it, for its contact and company, its total the deal's amount
                let orders = try await client.json(.get, "/api/v1/orders?deal_id=\(dealID)", seeded.token)
                let list = orders.json["data"] as? [[String: Any]] ?? []
                #expect(list.count == 1, "\(orders.text)")
                let order = try #require(list.first)
                #expect(order["total"] as? Int == amount)
                #expect(order["contact_id"] as? String == shop.contact)
                #expect(order["company_id"] as? String == shop.company)
                #expect(order["currency"] as? String == "DKK")
                #expect((order["lines"] as? [[String: Any]])?.map { $0["discount"] as? Int } == [1000, 0])
                // and it is a purchase on the contact's timeline
                let timeline = try await client.json(
                    .get, "/api/v1/contacts/\(shop.contact)/timeline", seeded.token)
                let purchases = (timeline.json["data"] as? [[String: Any]] ?? []).filter {
                    $0["type"] as? String == "purchase"
                }
                #expect(purchases.count == 1)
                // when it is reopened and won again
                _ = try await client.json(
                    .post, "/api/v1/deals/\(dealID)/move", seeded.token, #"{"stage_id": "\#(stages["Demo"]!)"}"#)
                let again = try await client.json(
                    .post, "/api/v1/deals/\(dealID)/move", seeded.token, #"{"stage_id": "\#(stages["Won"]!)"}"#)
                #expect(again.json["status"] as? String == "won")
                // then there is still one order
                let still = try await client.json(.get, "/api/v1/orders?deal_id=\(dealID)", seeded.token)
                #expect((still.json["data"] as? [Any])?.count == 1)
                // and a deal won without lines records none
                let plain = try await client.json(
                    .post, "/api/v1/deals", seeded.token,
                    #"{"name": "Plain", "amount": 100, "currency": "DKK", "contact_ids": ["\#(shop.contact)"], "stage_id": "\#(stages["Won"]!)"}"#
                )
                #expect(plain.json["status"] as? String == "won", "\(plain.text)")
                let plainID = try #require(plain.json["id"] as? String)
                let none = try await client.json(.get, "/api/v1/orders?deal_id=\(plainID)", seeded.token)
                #expect((none.json["data"] as? [Any])?.count == 0)
            }
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportTestSupport
import Testing

/// Pipelines, deals and their moves through the API, on both databases.
@Suite("Pipelines and deals API")
struct DealsAPITests {
    /// The first pipeline's stage ids by name.
    static func stages(_ client: any TestClientProtocol, _ token: String) async throws -> (
        pipeline: String, stages: [String: String]
    ) {
        let list = try await client.json(.get, "/api/v1/pipelines", token)
        let first = try #require((list.json["data"] as? [[String: Any]])?.first)
        var stages: [String: String] = [:]
        for stage in first["stages"] as? [[String: Any]] ?? [] {
            stages[stage["name"] as? String ?? ""] = stage["id"] as? String
        }
        return (try #require(first["id"] as? String), stages)
    }

    @Test(
        "a new workspace has the Sales pipeline, and a pipeline needs one won and a lost stage",
        arguments: Backend.allCases)
    func pipelines(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given a new workspace, its pipeline is Sales with six stages in order
                let list = try await client.json(.get, "/api/v1/pipelines", seeded.token)
                let first = try #require((list.json["data"] as? [[String: Any]])?.first)
                #expect(first["name"] as? String == "Sales")
                let stages = first["stages"] as? [[String: Any]] ?? []
                #expect(
                    stages.compactMap { $0["name"] as? String } == [
                        "Qualify", "Demo", "Proposal", "Negotiation", "Won", "Lost",
                    ])
                #expect(stages.compactMap { $0["probability"] as? Int } == [10, 30, 60, 80, 100, 0])
                #expect(stages.compactMap { $0["kind"] as? String } == ["open", "open", "open", "open", "won", "lost"])
                // when a pipeline is made with its stages, it answers them with ids
                let made = try await client.json(
                    .post, "/api/v1/pipelines", seeded.token,
                    #"{"name": "Renewals", "currency": "eur", "stages": [{"name": "Due", "probability": 50, "kind": "open"}, {"name": "Renewed", "probability": 100, "kind": "won"}, {"name": "Churned", "probability": 0, "kind": "lost"}]}"#
                )
                #expect(made.status == .created, "\(made.text)")
                #expect(made.json["currency"] as? String == "EUR")
                #expect((made.json["stages"] as? [[String: Any]])?.allSatisfy { $0["id"] is String } == true)
                // then pipelines without a won stage, with two, or a probability out of range are refused
                let bad = try await client.json(
                    .post, "/api/v1/pipelines", seeded.token,
                    #"{"name": "", "stages": [{"name": "A", "probability": 150, "kind": "open"}, {"name": "B", "probability": 100, "kind": "won"}, {"name": "C", "probability": 100, "kind": "won"}]}"#
                )
                #expect(bad.status == .unprocessableContent)
                let fields = Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["name", "stages[0].probability", "stages"], "\(bad.text)")
                let count = try await client.json(.get, "/api/v1/pipelines", seeded.token)
                #expect((count.json["data"] as? [Any])?.count == 2)
            }
        }
    }

    @Test(
        "a deal moves through stages, and winning makes its contacts and company customers", arguments: Backend.allCases
    )
    func lifecycle(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given a lead at a company
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Nordlys ApS"}"#)
                let companyID = try #require(company.json["id"] as? String)
                let contact = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Oksana", "lifecycle_stage": "lead", "company_id": "\#(companyID)"}"#)
                let contactID = try #require(contact.json["id"] as? String)
                let (pipeline, stages) = try await Self.stages(client, seeded.token)
                // when a deal is made for them
                let created = try await client.json(
                    .post, "/api/v1/deals", seeded.token,
                    #"{"name": "Nordlys rollout", "amount": 1250000, "currency": "dkk", "company_id": "\#(companyID)", "contact_ids": ["\#(contactID)"], "contact_roles": {"\#(contactID)": "decision_maker"}, "expected_close_date": "2027-02-01"}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                // then it starts open in the first stage of the first pipeline, and the lead is an opportunity
                #expect(created.json["pipeline_id"] as? String == pipeline)
                #expect(created.json["stage_id"] as? String == stages["Qualify"])
                #expect(created.json["status"] as? String == "open")
                #expect(created.json["closed_at"] is NSNull)
                #expect(created.json["owner_id"] as? String == seeded.owner.id)
                let lead = try await client.json(.get, "/api/v1/contacts/\(contactID)", seeded.token)
                #expect(lead.json["lifecycle_stage"] as? String == "opportunity")
                // when it moves to Demo, then to Won
                let demo = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stages["Demo"]!)"}"#)
                #expect(demo.status == .ok, "\(demo.text)")
                #expect(demo.json["stage_id"] as? String == stages["Demo"])
                let won = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stages["Won"]!)"}"#)
                #expect(won.json["status"] as? String == "won")
                #expect(won.json["closed_at"] is String)
                // then the contact and the company are customers
                let customer = try await client.json(.get, "/api/v1/contacts/\(contactID)", seeded.token)
                #expect(customer.json["lifecycle_stage"] as? String == "customer")
                let account = try await client.json(.get, "/api/v1/companies/\(companyID)", seeded.token)
                #expect(account.json["lifecycle_stage"] as? String == "customer")
                // and the deal's events are on its, its contact's and its company's timelines
                for path in ["deals/\(id)", "contacts/\(contactID)", "companies/\(companyID)"] {
                    let timeline = try await client.json(.get, "/api/v1/\(path)/timeline", seeded.token)
                    let types = (timeline.json["data"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                    #expect(types.contains("deal_won"), "\(path): \(types)")
                    #expect(types.filter { $0 == "deal_moved" }.count == 2, "\(path): \(types)")
                }
                // and the contact's and the company's deals list it
                let theirs = try await client.json(.get, "/api/v1/companies/\(companyID)/deals", seeded.token)
                #expect((theirs.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
                let contactDeals = try await client.json(.get, "/api/v1/contacts/\(contactID)/deals", seeded.token)
                #expect((contactDeals.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
                // and the list filters by stage and status
                let open = try await client.json(.get, "/api/v1/deals?status=open", seeded.token)
                #expect((open.json["data"] as? [Any])?.count == 0)
                let inWon = try await client.json(.get, "/api/v1/deals?stage_id=\(stages["Won"]!)", seeded.token)
                #expect((inWon.json["data"] as? [Any])?.count == 1)
            }
        }
    }

    @Test(
        "bad moves, amounts and currencies are refused naming the field, and change nothing",
        arguments: Backend.allCases)
    func badInput(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (_, stages) = try await Self.stages(client, seeded.token)
                let other = try await client.json(
                    .post, "/api/v1/pipelines", seeded.token,
                    #"{"name": "Renewals", "currency": "EUR", "stages": [{"name": "Due", "probability": 50, "kind": "open"}, {"name": "Renewed", "probability": 100, "kind": "won"}, {"name": "Churned", "probability": 0, "kind": "lost"}]}"#
                )
                let otherID = try #require(other.json["id"] as? String)
                let otherStage = try #require((other.json["stages"] as? [[String: Any]])?.first?["id"] as? String)
                let created = try await client.json(
                    .post, "/api/v1/deals", seeded.token, #"{"name": "Deal", "amount": 1000, "currency": "DKK"}"#)
                let id = try #require(created.json["id"] as? String)
                let etag = try #require(created.headers[.eTag])
                func field(_ response: TestResponse) -> [String] {
                    (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                }
                // lost without a reason
                let lost = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stages["Lost"]!)"}"#)
                #expect(lost.status == .unprocessableContent)
                #expect(field(lost) == ["lost_reason"])
                // a stage of another pipeline
                let elsewhere = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(otherStage)"}"#)
                #expect(field(elsewhere) == ["stage_id"], "\(elsewhere.text)")
                // a negative amount, an unknown currency
                let negative = try await client.json(.patch, "/api/v1/deals/\(id)", seeded.token, #"{"amount": -5}"#)
                #expect(field(negative) == ["amount"])
                let currency = try await client.json(
                    .patch, "/api/v1/deals/\(id)", seeded.token, #"{"currency": "XYZ"}"#)
                #expect(field(currency) == ["currency"])
                // a currency other than the pipeline's
                let mismatch = try await client.json(
                    .post, "/api/v1/deals", seeded.token,
                    #"{"name": "Renewal", "pipeline_id": "\#(otherID)", "amount": 500, "currency": "DKK"}"#)
                #expect(field(mismatch) == ["currency"], "\(mismatch.text)")
                // a stale If-Match
                _ = try await client.json(.patch, "/api/v1/deals/\(id)", seeded.token, #"{"source": "web"}"#)
                let stale = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stages["Demo"]!)"}"#,
                    headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                // then the deal is as it was (but for its source)
                let after = try await client.json(.get, "/api/v1/deals/\(id)", seeded.token)
                #expect(after.json["stage_id"] as? String == stages["Qualify"])
                #expect(after.json["amount"] as? Int == 1000)
                #expect(after.json["currency"] as? String == "DKK")
                #expect(after.json["status"] as? String == "open")
                // and lost with a reason closes it
                let closed = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token,
                    #"{"stage_id": "\#(stages["Lost"]!)", "lost_reason": "Chose a competitor"}"#)
                #expect(closed.json["status"] as? String == "lost")
                #expect(closed.json["lost_reason"] as? String == "Chose a competitor")
                // and reopening clears the reason and the close time
                let reopened = try await client.json(
                    .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stages["Demo"]!)"}"#)
                #expect(reopened.json["lost_reason"] is NSNull)
                #expect(reopened.json["closed_at"] is NSNull)
            }
        }
    }

    @Test(
        "a deal's amount is its lines' sum, and a line needs an active product and a positive quantity",
        arguments: Backend.allCases)
    func lineItems(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let machine = try await client.json(
                    .post, "/api/v1/products", seeded.token,
                    #"{"name": "Espresso machine", "unit_price": 249900, "currency": "DKK"}"#)
                let machineID = try #require(machine.json["id"] as? String)
                let retired = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Old kettle", "active": false}"#)
                let retiredID = try #require(retired.json["id"] as? String)
                // when a deal has two lines, one discounted
                let created = try await client.json(
                    .post, "/api/v1/deals", seeded.token,
                    #"{"name": "Café fit-out", "currency": "DKK", "amount": 1, "line_items": [{"product_id": "\#(machineID)", "quantity": 3, "unit_price": 249900, "discount": 49900}, {"product_id": "\#(machineID)", "quantity": 1, "unit_price": 1000}]}"#
                )
                #expect(created.status == .created, "\(created.text)")
                // then its amount is 3 × 2,499.00 − 499.00 + 10.00
                #expect(created.json["amount"] as? Int == 3 * 249_900 - 49_900 + 1000)
                let id = try #require(created.json["id"] as? String)
                // and the product's deals list it
                let productDeals = try await client.json(.get, "/api/v1/products/\(machineID)/deals", seeded.token)
                #expect((productDeals.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
                // when lines name an inactive product, a zero quantity or a discount above the line
                for (body, expected) in [
                    (
                        #"[{"product_id": "\#(retiredID)", "quantity": 1, "unit_price": 100}]"#,
                        "line_items[0].product_id"
                    ),
                    (#"[{"product_id": "\#(machineID)", "quantity": 0, "unit_price": 100}]"#, "line_items[0].quantity"),
                    (
                        #"[{"product_id": "\#(machineID)", "quantity": 1, "unit_price": -1}]"#,
                        "line_items[0].unit_price"
                    ),
                    (
                        #"[{"product_id": "\#(machineID)", "quantity": 1, "unit_price": 100, "discount": 101}]"#,
                        "line_items[0].discount"
                    ),
                ] {
                    let refused = try await client.json(
                        .patch, "/api/v1/deals/\(id)", seeded.token, #"{"line_items": \#(body)}"#)
                    #expect(refused.status == .unprocessableContent, "\(refused.text)")
                    let fields = (refused.json["errors"] as? [[String: Any]] ?? []).compactMap {
                        $0["field"] as? String
                    }
                    #expect(fields == [expected], "\(refused.text)")
                }
                let after = try await client.json(.get, "/api/v1/deals/\(id)", seeded.token)
                #expect(after.json["amount"] as? Int == 3 * 249_900 - 49_900 + 1000)
                #expect((after.json["line_items"] as? [Any])?.count == 2)
            }
        }
    }

    @Test("removing a stage that holds deals needs a stage to move them to", arguments: Backend.allCases)
    func removeStage(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (pipeline, stages) = try await Self.stages(client, seeded.token)
                var ids: [String] = []
                for name in ["A", "B"] {
                    let deal = try await client.json(
                        .post, "/api/v1/deals", seeded.token,
                        #"{"name": "\#(name)", "stage_id": "\#(stages["Demo"]!)"}"#)
                    ids.append(try #require(deal.json["id"] as? String))
                }
                // when Demo is removed without a target
                let refused = try await client.json(
                    .delete, "/api/v1/pipelines/\(pipeline)/stages/\(stages["Demo"]!)", seeded.token)
                #expect(refused.status == .conflict)
                #expect(refused.json["deal_count"] as? String == "2", "\(refused.text)")
                // then with one, its deals move there and the stage is gone
                let removed = try await client.json(
                    .delete, "/api/v1/pipelines/\(pipeline)/stages/\(stages["Demo"]!)?move_to=\(stages["Proposal"]!)",
                    seeded.token)
                #expect(removed.status == .ok, "\(removed.text)")
                #expect(
                    (removed.json["stages"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                        "Qualify", "Proposal", "Negotiation", "Won", "Lost",
                    ])
                for id in ids {
                    let deal = try await client.json(.get, "/api/v1/deals/\(id)", seeded.token)
                    #expect(deal.json["stage_id"] as? String == stages["Proposal"])
                }
                // and a stage is added, renamed and moved
                let added = try await client.json(
                    .post, "/api/v1/pipelines/\(pipeline)/stages", seeded.token,
                    #"{"name": "Trial", "probability": 40, "kind": "open", "position": 1}"#)
                #expect(added.status == .created, "\(added.text)")
                let trial = try #require(
                    (added.json["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "Trial" }?["id"]
                        as? String)
                let renamed = try await client.json(
                    .patch, "/api/v1/pipelines/\(pipeline)/stages/\(trial)", seeded.token,
                    #"{"name": "Pilot", "position": 0}"#)
                #expect(
                    (renamed.json["stages"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                        "Pilot", "Qualify", "Proposal", "Negotiation", "Won", "Lost",
                    ], "\(renamed.text)")
                // and the last won stage cannot go
                let lastWon = try await client.json(
                    .delete, "/api/v1/pipelines/\(pipeline)/stages/\(stages["Won"]!)", seeded.token)
                #expect(lastWon.status == .unprocessableContent)
            }
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("Sales pages")
struct SalesPagesTests {
    /// The HTML of one column of the board, by its stage id.
    static func column(_ html: String, _ stage: String) -> String {
        guard let start = html.range(of: "data-stage=\"\(stage)\"") else { return "" }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    static func deal(_ client: any TestClientProtocol, _ token: String, _ json: String) async throws -> String {
        let response = try await client.execute(
            uri: "/api/v1/deals", method: .post, headers: .bearer(token), body: ByteBuffer(string: json))
        #expect(response.status == .created, "\(response.text)")
        return response.json["id"] as? String ?? ""
    }

    @Test(
        "the board shows each stage's cards, count and totals; a card's form moves it; lost needs a reason",
        arguments: Backend.allCases)
    func board(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (_, stages) = try await Self.stages(client, seeded.token)
                // given two deals in Qualify and one in Demo
                let first = try await Self.deal(
                    client, seeded.token, #"{"name": "Fjord pilot", "amount": 100000, "currency": "DKK"}"#)
                _ = try await Self.deal(
                    client, seeded.token, #"{"name": "Harbour rollout", "amount": 50000, "currency": "DKK"}"#)
                _ = try await Self.deal(
                    client, seeded.token,
                    #"{"name": "Lighthouse", "amount": 20000, "currency": "DKK", "stage_id": "\#(stages["Demo"]!)"}"#)
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                // when the board is opened
                let page = try await jar.get(client, "/sales/board")
                #expect(page.status == .ok)
                let qualify = Self.column(page.text, stages["Qualify"]!)
                // then Qualify holds two cards, 1,500.00 DKK, weighted at 10%
                #expect(qualify.contains("Fjord pilot") && qualify.contains("Harbour rollout"))
                #expect(qualify.contains("<span data-count>2</span>"))
                #expect(qualify.contains("1,500.00 DKK"))
                #expect(qualify.contains("150.00 DKK"))
                #expect(Self.column(page.text, stages["Demo"]!).contains("Lighthouse"))
                // when a card's form moves it to Demo
                let token = try #require(page.csrfToken)
                let moved = try await jar.post(
                    client, "/sales/board/move",
                    form: ["csrf_token": token, "deal_id": first, "stage_id": stages["Demo"]!, "back": "/sales/board"])
                #expect(moved.status == .seeOther)
                let after = try await jar.get(client, "/sales/board")
                // then the totals follow: Qualify 500.00, Demo 1,200.00 (weighted 30%: 360.00)
                #expect(Self.column(after.text, stages["Qualify"]!).contains("500.00 DKK"))
                let demo = Self.column(after.text, stages["Demo"]!)
                #expect(demo.contains("Fjord pilot") && demo.contains("1,200.00 DKK") && demo.contains("360.00 DKK"))
                #expect(after.text.contains("Deal moved."))
                // when it is moved to Lost without a reason, the board says why and nothing moves
                let refused = try await jar.post(
                    client, "/sales/board/move",
                    form: ["csrf_token": token, "deal_id": first, "stage_id": stages["Lost"]!, "back": "/sales/board"])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("A lost deal needs a reason."))
                let deal = try await client.execute(
                    uri: "/api/v1/deals/\(first)", method: .get, headers: .bearer(seeded.token))
                #expect(deal.json["stage_id"] as? String == stages["Demo"])
                // and with a reason it is lost
                let lost = try await jar.post(
                    client, "/sales/board/move",
                    form: [
                        "csrf_token": token, "deal_id": first, "stage_id": stages["Lost"]!, "lost_reason": "Budget cut",
                        "back": "/sales/board",
                    ])
                #expect(lost.status == .seeOther)
                let closed = try await client.execute(
                    uri: "/api/v1/deals/\(first)", method: .get, headers: .bearer(seeded.token))
                #expect(closed.json["status"] as? String == "lost")
                #expect(closed.json["lost_reason"] as? String == "Budget cut")
                // and the owner filter keeps only that owner's deals
                let nobody = try await jar.get(client, "/sales/board?owner_id=01a24671-0000-7000-8000-000000000000")
                #expect(!nobody.text.contains("Harbour rollout"))
            }
        }
    }

    @Test("the funnel and the forecast draw their charts, mirrored on Persian pages", arguments: [Backend.sqlite])
    func charts(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "sara@acme.test", role: .member, language: .fa)
            try await app.test { client in
                let (_, stages) = try await Self.stages(client, seeded.token)
                _ = try await Self.deal(
                    client, seeded.token,
                    #"{"name": "Pilot", "amount": 100000, "currency": "DKK", "expected_close_date": "2027-03-10", "stage_id": "\#(stages["Proposal"]!)"}"#
                )
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                let funnel = try await jar.get(client, "/sales/funnel")
                #expect(funnel.status == .ok)
                #expect(funnel.text.contains("<svg class=\"chart\""))
                #expect(funnel.text.contains(">Qualify</text>"))
                let forecast = try await jar.get(client, "/sales/forecast")
                #expect(forecast.text.contains("March 2027"))
                #expect(forecast.text.contains("600.00 DKK"))  // 1,000.00 × 60%
                // on a Persian page, the first month is drawn on the right and labels end at the right edge
                let (persian, _) = try await WebShellTests.signIn(client, email: "sara@acme.test")
                let page = try await persian.get(client, "/sales/funnel")
                #expect(page.text.contains("dir=\"rtl\""))
                let label = try #require(page.text.range(of: "class=\"chart-label\">Qualify</text>"))
                let before = page.text[..<label.lowerBound]
                let x = before[before.range(of: "<text x=\"", options: .backwards)!.upperBound...].prefix { $0 != "\"" }
                #expect(Double(x) ?? 0 > 600, "label at \(x)")
                // and the forecast's months are Gregorian, named in Persian, with the Solar Hijri months they span
                let months = try await persian.get(client, "/sales/forecast")
                #expect(months.text.contains("مارس ۲۰۲۷"), "the Gregorian month in Persian")
                #expect(months.text.contains("اسفند ۱۴۰۵ – فروردین ۱۴۰۶"), "the Solar Hijri months it spans")
                let dates = try await persian.get(client, "/sales/forecast?from=bad")
                #expect(dates.text.contains("class=\"error\""))
            }
        }
    }

    @Test("a contact's page and a product's page list the deals that name them", arguments: [Backend.sqlite])
    func relatedDeals(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let contact = try await client.execute(
                    uri: "/api/v1/contacts", method: .post, headers: .bearer(seeded.token),
                    body: ByteBuffer(string: #"{"first_name": "Ingrid", "last_name": "Holm"}"#))
                let contactID = try #require(contact.json["id"] as? String)
                let product = try await client.execute(
                    uri: "/api/v1/products", method: .post, headers: .bearer(seeded.token),
                    body: ByteBuffer(string: #"{"name": "Roaster", "unit_price": 5000, "currency": "DKK"}"#))
                let productID = try #require(product.json["id"] as? String)
                _ = try await Self.deal(
                    client, seeded.token,
                    #"{"name": "Roastery fit-out", "currency": "DKK", "contact_ids": ["\#(contactID)"], "line_items": [{"product_id": "\#(productID)", "quantity": 2, "unit_price": 5000}]}"#
                )
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                for path in ["/contacts/\(contactID)", "/products/\(productID)"] {
                    let page = try await jar.get(client, path)
                    #expect(page.status == .ok)
                    #expect(page.text.contains("Roastery fit-out"), "\(path) lists its deal")
                }
                // and the deal's page names the contact and the line
                let deals = try await client.execute(uri: "/api/v1/deals", method: .get, headers: .bearer(seeded.token))
                let dealID = try #require((deals.json["data"] as? [[String: Any]])?.first?["id"] as? String)
                let page = try await jar.get(client, "/deals/\(dealID)")
                #expect(page.text.contains("Ingrid Holm"))
                #expect(page.text.contains("2 × Roaster"))
                #expect(page.text.contains("Qualify"))
            }
        }
    }

    static func stages(_ client: any TestClientProtocol, _ token: String) async throws -> (String, [String: String]) {
        let list = try await client.execute(uri: "/api/v1/pipelines", method: .get, headers: .bearer(token))
        let first = try #require((list.json["data"] as? [[String: Any]])?.first)
        var stages: [String: String] = [:]
        for stage in first["stages"] as? [[String: Any]] ?? [] {
            stages[stage["name"] as? String ?? ""] = stage["id"] as? String
        }
        return (first["id"] as? String ?? "", stages)
    }
}

@Suite("Pipeline settings page")
struct PipelinePagesTests {
    @Test(
        "owners add, rename and remove stages in one form; removing one that holds deals needs a target",
        arguments: [Backend.sqlite, Backend.postgres])
    func stages(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (pipeline, stages) = try await SalesPagesTests.stages(client, seeded.token)
                let deal = try await SalesPagesTests.deal(
                    client, seeded.token, #"{"name": "Held", "stage_id": "\#(stages["Demo"]!)"}"#)
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                let page = try await jar.get(client, "/settings/pipelines")
                #expect(page.status == .ok)
                #expect(page.text.contains("value=\"Negotiation\""))
                let token = try #require(page.csrfToken)
                // the form as the page shows it: six stages in order and an empty row
                let names = ["Qualify", "Demo", "Proposal", "Negotiation", "Won", "Lost"]
                func form(_ change: (inout [String: String]) -> Void) -> [String: String] {
                    var fields = ["csrf_token": token, "name": "Sales", "currency": ""]
                    for (index, name) in names.enumerated() {
                        fields["stage.\(index).id"] = stages[name]!
                        fields["stage.\(index).name"] = name
                        fields["stage.\(index).probability"] = ["10", "30", "60", "80", "100", "0"][index]
                        fields["stage.\(index).kind"] = index == 4 ? "won" : index == 5 ? "lost" : "open"
                        fields["stage.\(index).position"] = String(index + 1)
                    }
                    fields["stage.6.id"] = ""
                    fields["stage.6.name"] = ""
                    fields["stage.6.probability"] = ""
                    fields["stage.6.kind"] = "open"
                    fields["stage.6.position"] = "7"
                    change(&fields)
                    return fields
                }
                // when Demo is removed without a target, the page says how many deals it holds
                let refused = try await jar.post(
                    client, "/settings/pipelines/\(pipeline)", form: form { $0["stage.1.remove"] = "true" })
                #expect(refused.status == .conflict)
                #expect(refused.text.contains("1 deals"))
                // when a Trial stage is added second, Qualify renamed, and Demo removed into Proposal
                let saved = try await jar.post(
                    client, "/settings/pipelines/\(pipeline)",
                    form: form {
                        $0["stage.1.remove"] = "true"
                        $0["move_to"] = stages["Proposal"]!
                        $0["stage.0.name"] = "Discovery"
                        $0["stage.6.name"] = "Trial"
                        $0["stage.6.probability"] = "20"
                        $0["stage.6.position"] = "1.5"
                    })
                #expect(saved.status == .seeOther, "\(saved.text)")
                let after = try await client.execute(
                    uri: "/api/v1/pipelines/\(pipeline)", method: .get, headers: .bearer(seeded.token))
                #expect(
                    (after.json["stages"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                        "Discovery", "Trial", "Proposal", "Negotiation", "Won", "Lost",
                    ])
                let held = try await client.execute(
                    uri: "/api/v1/deals/\(deal)", method: .get, headers: .bearer(seeded.token))
                #expect(held.json["stage_id"] as? String == stages["Proposal"])
                // and a pipeline without a won stage is refused with the reason
                let broken = try await jar.post(
                    client, "/settings/pipelines/\(pipeline)",
                    form: form {
                        $0["stage.4.kind"] = "open"; $0["stage.1.remove"] = "true"; $0["move_to"] = stages["Proposal"]!
                    })
                #expect(broken.status == .unprocessableContent)
                #expect(broken.text.contains("A pipeline has exactly one won stage."))
            }
        }
    }

    @Test("a member reads the pipelines but may not change them", arguments: [Backend.sqlite])
    func member(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "mia@acme.test", role: .member)
            try await app.test { client in
                let (pipeline, _) = try await SalesPagesTests.stages(client, seeded.token)
                let (jar, _) = try await WebShellTests.signIn(client, email: "mia@acme.test")
                let page = try await jar.get(client, "/settings/pipelines")
                #expect(page.status == .ok)
                #expect(page.text.contains(#"name="stage.0.name" value="Qualify"  aria-label="Stage" disabled"#))
                let token = try #require(page.csrfToken)
                let refused = try await jar.post(
                    client, "/settings/pipelines/\(pipeline)", form: ["csrf_token": token, "name": "Mine"])
                #expect(refused.status == .forbidden)
            }
        }
    }
}

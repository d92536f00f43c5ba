import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Deal form and product pages")
struct DealFormPagesTests {
    /// What a browser sends for the record form on `html`: each input, select and text area with its value
    /// (disabled inputs, unticked boxes, buttons and the rows' template left out).
    static func formValues(_ html: String) -> [String: String] {
        guard let start = html.range(of: #"class="grid record-form""#),
            let end = html.range(of: "</form>", range: start.upperBound..<html.endIndex)
        else { return [:] }
        var form = String(html[start.upperBound..<end.lowerBound])
        // (the rows JavaScript copies are not sent)
        while let open = form.range(of: "<template"), let close = form.range(of: "</template>") {
            form.removeSubrange(open.lowerBound..<close.upperBound)
        }
        func attribute(_ name: String, in tag: Substring) -> String? {
            guard let found = tag.range(of: " \(name)=\"") else { return nil }
            let rest = tag[found.upperBound...]
            return decode(String(rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)]))
        }
        var values: [String: String] = [:]
        var rest = form[...]
        while let open = rest.firstIndex(of: "<") {
            let tail = rest[open...]
            guard let close = tail.firstIndex(of: ">") else { break }
            let tag = tail[...close]
            rest = tail[tail.index(after: close)...]
            if tag.hasPrefix("<input"), let name = attribute("name", in: tag) {
                let type = attribute("type", in: tag) ?? "text"
                if tag.contains(" disabled") || type == "submit" || (type == "checkbox" && !tag.contains(" checked")) {
                    continue
                }
                values[name] = attribute("value", in: tag) ?? ""
            } else if tag.hasPrefix("<select"), let name = attribute("name", in: tag) {
                let body = rest[..<(rest.range(of: "</select>")?.lowerBound ?? rest.endIndex)]
                var chosen: String?
                var first: String?
                for option in body.components(separatedBy: "<option").dropFirst() {
                    let head = Substring(" " + option.prefix { $0 != ">" })
                    let value = attribute("value", in: head) ?? ""
                    if first == nil { first = value }
                    if head.contains(" selected") { chosen = value }
                }
                values[name] = chosen ?? first ?? ""
            } else if tag.hasPrefix("<textarea"), let name = attribute("name", in: tag) {
                values[name] = decode(String(rest[..<(rest.range(of: "</textarea>")?.lowerBound ?? rest.endIndex)]))
            }
        }
        return values
    }

    static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Two active products (a roaster at 50.00 DKK, a grinder) and a retired one, and a contact.
    static func catalogue(_ app: TestApp, _ seeded: Seeded) async throws -> (
        roaster: Record, grinder: Record, retired: Record, contact: Record
    ) {
        let viewer = Viewer.system(seeded.workspace.id)
        let actor = Actor(.user, id: seeded.owner.id)
        let products = RecordService(app.services, schema: .products)
        let roaster = try await products.create(
            viewer, fields: ["name": .string("Roaster"), "unit_price": .number(5000), "currency": .string("DKK")],
            actor: actor)
        let grinder = try await products.create(viewer, fields: ["name": .string("Grinder")], actor: actor)
        let retired = try await products.create(
            viewer, fields: ["name": .string("Percolator"), "active": .bool(false)], actor: actor)
        let contact = try await RecordService(app.services, schema: .contacts).create(
            viewer, fields: ["first_name": .string("Ingrid"), "last_name": .string("Holm")], actor: actor)
        return (roaster, grinder, retired, contact)
    }

    @Test(
        "the deal form makes a deal with two lines and a contact's role, the amount their sum; saved unchanged, nothing changes",
        arguments: Backend.allCases)
    func linesAndRoles(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (roaster, grinder, retired, contact) = try await Self.catalogue(app, seeded)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // given the new-deal form: rows of lines with the active products, contacts with roles
                let blank = try await jar.get(client, "/deals/new")
                #expect(blank.status == .ok)
                #expect(blank.text.contains(#"name="line_items[0].product_id""#))
                #expect(
                    blank.text.contains(
                        #"<option value="\#(roaster.id)"  data-price="50.00" data-currency="DKK">Roaster</option>"#))
                #expect(!blank.text.contains("Percolator"), "an inactive product is not offered")
                #expect(blank.text.contains(#"name="contact_ids[0].role""#))
                #expect(blank.text.contains(">Decision maker</option>"))
                // when it is sent with two lines (a price left to the product's own, a decimal comma and a
                // discount) and a contact as champion
                var form = Self.formValues(blank.text)
                form["csrf_token"] = blank.csrfToken ?? ""
                form["name"] = "Roastery fit-out"
                form["currency"] = "DKK"
                form["line_items[0].product_id"] = roaster.id
                form["line_items[0].quantity"] = "2"
                form["line_items[1].product_id"] = grinder.id
                form["line_items[1].quantity"] = "1"
                form["line_items[1].unit_price"] = "899,50"
                form["line_items[1].discount"] = "10"
                form["contact_ids[0]"] = "Ingrid Holm"
                form["contact_ids[0].role"] = "champion"
                let made = try await jar.post(client, "/deals", form: form)
                #expect(made.status == .seeOther, "\(made.text.prefix(3000))")
                let path = try #require(made.headers[.location])
                let id = String(path.split(separator: "/").last ?? "")
                // then the stored deal has both lines, their sum as its amount, and the role
                let deals = RecordService(app.services, schema: .deals)
                let stored = try await deals.get(.system(seeded.workspace.id), id: id)
                #expect(
                    LineItem.lines(of: stored["line_items"]) == [
                        LineItem(productID: roaster.id, quantity: 2, unitPrice: 5000),
                        LineItem(productID: grinder.id, quantity: 1, unitPrice: 89950, discount: 1000),
                    ])
                #expect(stored["amount"] == .number(10000 + 89950 - 1000))
                #expect(stored.strings("contact_ids") == [contact.id])
                #expect(stored["contact_roles"] == .object([contact.id: .string("champion")]))
                // and the edit form shows them back: decimals, the role chosen, the amount as the lines' sum
                let edit = try await jar.get(client, "\(path)/edit")
                #expect(edit.text.contains(#"value="899.50""#) && edit.text.contains(#"value="10.00""#))
                #expect(edit.text.contains(#"<option value="champion" selected>Champion</option>"#))
                #expect(edit.text.contains("989.50 DKK"), "the lines' sum")
                #expect(edit.text.contains(#"<input type="text" name="amount" value="989.50 DKK""#))
                // when the form is saved unchanged, the deal is not changed at all
                var again = Self.formValues(edit.text)
                again["csrf_token"] = edit.csrfToken ?? ""
                #expect(again["amount"] == nil, "a disabled amount is not sent")
                let saved = try await jar.post(client, path, form: again)
                #expect(saved.status == .seeOther, "\(saved.text.prefix(3000))")
                let after = try await deals.get(.system(seeded.workspace.id), id: id)
                #expect(after.version == stored.version)
                #expect(
                    after["line_items"] == stored["line_items"] && after["contact_roles"] == stored["contact_roles"])
                // when a line is removed and the role changed, only those change
                again["line_items[0].remove"] = "1"
                again["contact_ids[0].role"] = "decision_maker"
                again["version"] = String(after.version)
                let changed = try await jar.post(client, path, form: again)
                #expect(changed.status == .seeOther)
                let last = try await deals.get(.system(seeded.workspace.id), id: id)
                #expect(LineItem.lines(of: last["line_items"]).map(\.productID) == [grinder.id])
                #expect(last["amount"] == .number(88950))
                #expect(last["contact_roles"] == .object([contact.id: .string("decision_maker")]))
                // and "more lines" gives blank rows without saving
                var more = Self.formValues(edit.text)
                more["csrf_token"] = edit.csrfToken ?? ""
                more["more_rows"] = "line_items"
                let rows = try await jar.post(client, path, form: more)
                #expect(rows.status == .ok)
                #expect(rows.text.contains(#"name="line_items[4].product_id""#))
                #expect(try await deals.get(.system(seeded.workspace.id), id: id).version == last.version)
                _ = retired
            }
        }
    }

    @Test("a line's error shows on its row, in the viewer's language; nothing is saved", arguments: [Backend.sqlite])
    func lineErrors(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "sara@acme.test", role: .member, language: .fa)
            let (roaster, _, retired, _) = try await Self.catalogue(app, seeded)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let blank = try await jar.get(client, "/deals/new")
                // when the second line's quantity is negative
                var form = Self.formValues(blank.text)
                form["csrf_token"] = blank.csrfToken ?? ""
                form["name"] = "Bad lines"
                form["currency"] = "DKK"
                form["line_items[0].product_id"] = roaster.id
                form["line_items[0].quantity"] = "1"
                form["line_items[1].product_id"] = roaster.id
                form["line_items[1].quantity"] = "-3"
                form["line_items[1].unit_price"] = "12.50"
                form["more_rows"] = nil
                let refused = try await jar.post(client, "/deals", form: form)
                // then the form comes back with the error on the second row, and no deal is made
                #expect(refused.status == .unprocessableContent)
                let rows = refused.text.components(separatedBy: #"<tr class="line-row"#).dropFirst()
                #expect(rows.count >= 2)
                let second = rows.dropFirst().first ?? ""
                #expect(second.hasPrefix(" has-error"))
                #expect(second.contains("The quantity must be a whole number of at least 1."))
                #expect(second.contains(#"value="-3""#))
                #expect(!(rows.first ?? "").contains("field-error"))
                let count = try await RecordService(app.services, schema: .deals).list(
                    .system(seeded.workspace.id), query: ListQuery(), limit: 10, after: nil
                ).records.count
                #expect(count == 0)
                // and a price that is not an amount names its row too, in Persian for a Persian reader
                let persian = try await RecordPagesTests.signIn(client, email: "sara@acme.test")
                let page = try await persian.get(client, "/deals/new")
                var bad = Self.formValues(page.text)
                bad["csrf_token"] = page.csrfToken ?? ""
                bad["name"] = "قیمت بد"
                bad["currency"] = "DKK"
                bad["line_items[0].product_id"] = roaster.id
                bad["line_items[0].unit_price"] = "۱۲٫۵۰"  // Persian digits and decimal sign: fine
                bad["line_items[1].product_id"] = retired.id
                bad["line_items[1].unit_price"] = "abc"
                let answer = try await persian.post(client, "/deals", form: bad)
                #expect(answer.status == .unprocessableContent)
                let persianRows = answer.text.components(separatedBy: #"<tr class="line-row"#).dropFirst()
                #expect(!(persianRows.first ?? "").contains("field-error"))
                #expect((persianRows.dropFirst().first ?? "").contains("قیمت واحد را به صورت مبلغی"))
                // when the price is fixed, the retired product is refused on its row
                bad["line_items[1].unit_price"] = "1"
                let retiredAnswer = try await persian.post(client, "/deals", form: bad)
                #expect(retiredAnswer.status == .unprocessableContent)
                let retiredRows = retiredAnswer.text.components(separatedBy: #"<tr class="line-row"#).dropFirst()
                #expect((retiredRows.dropFirst().first ?? "").contains("Percolator"), "named in the message")
            }
        }
    }

    @Test(
        "a product's page lists its deals and orders with dates, quantities and amounts, only those the viewer sees",
        arguments: Backend.allCases)
    func productPage(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let ana = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member).user
            // given Ana's role reads products, and only her own deals and orders
            let role = try await RoleService(app.services).create(
                principal, name: "Own sales",
                permissions: .object([
                    "products": .object(["actions": .array([.string("read")])]),
                    "contacts": .object(["actions": .array([.string("read")])]),
                    "deals": .object(["actions": .array([.string("read")]), "visibility": .string("own")]),
                    "orders": .object(["actions": .array([.string("read")]), "visibility": .string("own")]),
                ]))
            _ = try await AccountService(app.services).changeRole(of: ana.id, to: role.id, by: principal)
            let (roaster, grinder, _, contact) = try await Self.catalogue(app, seeded)
            let viewer = Viewer.system(seeded.workspace.id)
            let actor = Actor(.user, id: seeded.owner.id)
            func lines(_ quantity: Double, _ price: Double) -> JSONValue {
                .array([
                    .object([
                        "product_id": .string(roaster.id), "quantity": .number(quantity), "unit_price": .number(price),
                    ]),
                    .object(["product_id": .string(grinder.id), "quantity": .number(1), "unit_price": .number(100)]),
                ])
            }
            let deals = RecordService(app.services, schema: .deals)
            _ = try await deals.create(
                viewer,
                fields: [
                    "name": .string("Ana's roastery"), "currency": .string("DKK"), "owner_id": .string(ana.id),
                    "expected_close_date": .string("2027-03-10"), "line_items": lines(3, 5000),
                ], actor: actor)
            _ = try await deals.create(
                viewer,
                fields: [
                    "name": .string("Owner's café"), "currency": .string("DKK"), "owner_id": .string(seeded.owner.id),
                    "line_items": lines(1, 5000),
                ], actor: actor)
            let orders = RecordService(app.services, schema: .orders)
            for (reference, owner, quantity) in [("A-1", ana.id, 4.0), ("B-2", seeded.owner.id, 1.0)] {
                _ = try await orders.create(
                    viewer,
                    fields: [
                        "reference": .string(reference), "contact_id": .string(contact.id), "currency": .string("DKK"),
                        "ordered_at": .string("2026-02-20T08:15:00Z"), "owner_id": .string(owner),
                        "lines": lines(quantity, 4500),
                    ], actor: actor)
            }
            try await app.test { client in
                // when the owner opens the roaster's page
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/products/\(roaster.id)")
                #expect(page.status == .ok)
                // then it has a table of deals and one of orders, with this product's quantity and amount
                let dealsTable = try #require(Self.section(page.text, "Deals with this product"))
                #expect(dealsTable.contains("Ana&#39;s roastery") || dealsTable.contains("Ana's roastery"))
                #expect(dealsTable.contains("Owner") && dealsTable.contains("café"))
                #expect(dealsTable.contains(">3</td>") && dealsTable.contains("150.00 DKK"))
                #expect(dealsTable.contains("Mar 10, 2027"))
                let ordersTable = try #require(Self.section(page.text, "Orders with this product"))
                #expect(ordersTable.contains("A-1") && ordersTable.contains("B-2"))
                #expect(ordersTable.contains(">4</td>") && ordersTable.contains("180.00 DKK"))
                // and Ana sees only her own deal and order
                let anaJar = try await RecordPagesTests.signIn(client, email: "ana@acme.test")
                let hers = try await anaJar.get(client, "/products/\(roaster.id)")
                #expect(hers.status == .ok)
                let herDeals = try #require(Self.section(hers.text, "Deals with this product"))
                #expect(herDeals.contains("roastery") && !herDeals.contains("café"))
                let herOrders = try #require(Self.section(hers.text, "Orders with this product"))
                #expect(herOrders.contains("A-1") && !herOrders.contains("B-2"))
                #expect(!hers.text.contains("Owner&#39;s café") && !hers.text.contains("B-2"))
            }
        }
    }

    @Test("an order is made through its form with a line, its total the line's", arguments: [Backend.sqlite])
    func orderForm(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (roaster, _, _, contact) = try await Self.catalogue(app, seeded)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let blank = try await jar.get(client, "/orders/new")
                #expect(blank.text.contains(#"name="lines[0].product_id""#))
                var form = Self.formValues(blank.text)
                form["csrf_token"] = blank.csrfToken ?? ""
                form["reference"] = "W-1"
                form["contact_id"] = "Ingrid Holm"
                form["currency"] = "DKK"
                form["lines[0].product_id"] = roaster.id
                form["lines[0].quantity"] = "3"
                form["lines[0].unit_price"] = "12.5"
                let made = try await jar.post(client, "/orders", form: form)
                #expect(made.status == .seeOther, "\(made.text.prefix(2000))")
                let id = String((made.headers[.location] ?? "").split(separator: "/").last ?? "")
                let order = try await RecordService(app.services, schema: .orders).get(
                    .system(seeded.workspace.id), id: id)
                #expect(order["total"] == .number(3750))
                #expect(order.string("contact_id") == contact.id)
            }
        }
    }

    @Test("the top bar keeps products, tasks and orders under More, marked when one of them is open")
    func moreMenu() async throws {
        try await TestApp.with(.sqlite) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let home = try await jar.get(client, "/")
                let nav = try #require(
                    home.text.range(of: #"<nav class="nav""#).map {
                        String(home.text[$0.lowerBound...].prefix(3000))
                    })
                let menu = try #require(
                    nav.range(of: #"<details class="nav-more""#).map { String(nav[$0.lowerBound...]) })
                let before = String(nav[..<(nav.range(of: #"<details class="nav-more""#)?.lowerBound ?? nav.endIndex)])
                for path in ["/products", "/tasks", "/orders"] {
                    #expect(menu.contains(#"href="\#(path)""#) && !before.contains(#"href="\#(path)""#))
                }
                #expect(before.contains(#"href="/contacts""#) && before.contains(#"href="/my-tasks""#))
                #expect(!menu.contains(#"<summary class="current">"#), "More is not current on the home page")
                let products = try await jar.get(client, "/products")
                #expect(products.text.contains(#"<summary class="current">More</summary>"#))
                #expect(products.text.contains(#"<a href="/products" aria-current="page">Products</a>"#))
            }
        }
    }

    /// The HTML from a heading to the next heading.
    static func section(_ html: String, _ heading: String) -> String? {
        guard let start = html.range(of: "<h2>\(heading)</h2>") else { return nil }
        let rest = html[start.upperBound...]
        return String(
            rest[..<(rest.range(of: "<h2")?.lowerBound ?? rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }
}

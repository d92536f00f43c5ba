import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Segments and consent API")
struct SegmentsAPITests {
    /// Contacts of every kind the language tests, on a real database, with their events and orders.
    struct World {
        var ids: [String: String] = [:]
        var segments: [String: String] = [:]
    }

    static func body(_ text: String) -> String { text }

    static func build(_ app: TestApp, _ client: some TestClientProtocol, _ seeded: Seeded, rep: User) async throws
        -> World
    {
        var world = World()
        func post(_ uri: String, _ json: String) async throws -> [String: Any] {
            let response = try await client.json(.post, uri, seeded.token, json)
            #expect(response.status == .created, "\(uri): \(response.text)")
            return response.json
        }
        let team = try await post("/api/v1/teams", #"{"name": "Sales", "member_ids": ["\#(rep.id)"]}"#)["id"] as! String
        let bank =
            try await post(
                "/api/v1/companies", #"{"name": "Danske Bank", "industry": "Banking", "country": "DK"}"#)["id"]
            as! String
        let shop = try await post("/api/v1/companies", #"{"name": "Shop", "industry": "Retail"}"#)["id"] as! String
        // a birthday three days from today, in 1985
        let soon = Calendar(identifier: .gregorian).date(byAdding: .day, value: 3, to: Date())!
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let parts = utc.dateComponents([.month, .day], from: soon)
        let birthday = String(format: "1985-%02d-%02d", parts.month!, parts.day!)
        let contacts: [(String, String)] = [
            (
                "Ana",
                #"{"first_name": "Ana", "last_name": "Lund", "job_title": "VP Sales", "country": "DK", "tags": ["vip"], "company_id": "\#(bank)", "lifecycle_stage": "customer", "birthday": "\#(birthday)"}"#
            ),
            (
                "Bo",
                #"{"first_name": "Bo", "job_title": "Engineer", "country": "IR", "tags": ["do-not-contact"], "company_id": "\#(shop)", "lifecycle_stage": "lead", "owner_id": "\#(rep.id)", "team_id": "\#(team)"}"#
            ),
            (
                "Оксана",
                #"{"first_name": "Оксана", "job_title": "vp of marketing", "country": "UA", "email_consent": "subscribed", "email": "oksana@kyiv.ua"}"#
            ),
            (
                "داریوش",
                #"{"first_name": "داریوش", "job_title": "مدیر فروش", "country": "IR", "tags": ["vip", "do-not-contact"], "email_status": "undeliverable"}"#
            ),
            ("Emil", #"{"first_name": "Emil", "country": "DK", "birthday": "1990-02-01"}"#),
        ]
        for (name, json) in contacts { world.ids[name] = try await post("/api/v1/contacts", json)["id"] as? String }
        // behaviour: page views (recent and old) and an opened email
        let now = Timestamp.micros(Date())
        let day: Int64 = 86_400_000_000
        var events: [TimelineEvent] = []
        func event(_ who: String, _ type: String, daysAgo: Int64) {
            events.append(
                TimelineEvent(
                    workspaceID: seeded.workspace.id, type: type, occurredAt: now - daysAgo * day,
                    actor: Actor(.system, id: nil), contactID: world.ids[who], companyID: nil, data: [:]))
        }
        for ago in [1, 2, 3] as [Int64] { event("Ana", "page_view", daysAgo: ago) }
        for ago in [5, 6] as [Int64] { event("Bo", "page_view", daysAgo: ago) }
        for ago in [40, 41, 42, 43, 44] as [Int64] { event("Оксана", "page_view", daysAgo: ago) }
        event("Оксана", "email_opened", daysAgo: 2)
        let timeline = TimelineRepository(store: app.runtime.store)
        let batch = events
        try await app.runtime.store.transaction { database in try await timeline.append(batch, on: database) }
        // purchases: Ana twice 100.00 DKK of SKU-1, Bo once 2,000 JPY of SKU-2
        let one =
            try await post(
                "/api/v1/products", #"{"name": "Widget", "sku": "SKU-1", "unit_price": 10000, "currency": "DKK"}"#)[
                "id"]
            as! String
        let two =
            try await post(
                "/api/v1/products", #"{"name": "Gadget", "sku": "SKU-2", "unit_price": 2000, "currency": "JPY"}"#)["id"]
            as! String
        for _ in 0..<2 {
            _ = try await post(
                "/api/v1/orders",
                #"{"contact_id": "\#(world.ids["Ana"]!)", "currency": "DKK", "lines": [{"product_id": "\#(one)", "quantity": 1, "unit_price": 10000}]}"#
            )
        }
        _ = try await post(
            "/api/v1/orders",
            #"{"contact_id": "\#(world.ids["Bo"]!)", "currency": "JPY", "lines": [{"product_id": "\#(two)", "quantity": 1, "unit_price": 2000}]}"#
        )
        return world
    }

    static func names(_ response: TestResponse, _ world: World) -> Set<String> {
        let ids = ((response.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        return Set(world.ids.filter { ids.contains($0.value) }.map(\.key))
    }

    static let cases: [(String, Set<String>)] = [
        (#"title ~ "VP""#, ["Ana", "Оксана"]),
        (
            #"title ~ "VP" and country in ("DK", "IR", "UA") and events(page_view, 30d) >= 3 and not tag = "do-not-contact""#,
            ["Ana"]
        ),
        ("events(page_view) >= 3", ["Ana", "Оксана"]),
        ("events(page_view, 30d) >= 2", ["Ana", "Bo"]),
        ("events(page_view, 30d) = 2", ["Bo"]),
        ("events(page_view, 30d) < 3", ["Bo", "Оксана", "داریوش", "Emil"]),
        ("events(email_opened, 365d) = 0", ["Ana", "Bo", "داریوش", "Emil"]),
        ("events(download) > 0", []),
        (#"tag = "vip""#, ["Ana", "داریوش"]),
        (#"not tag = "do-not-contact""#, ["Ana", "Оксана", "Emil"]),
        (#"tag in ("vip", "do-not-contact")"#, ["Ana", "Bo", "داریوش"]),
        ("tag is empty", ["Оксана", "Emil"]),
        // (a tag's text inside another tag, or in another case, is not that tag)
        (#"tag = "do-not""#, []), (#"tag = "ip""#, []), (#"tag = "VIP""#, []),
        (#"tag in ("contact", "vip")"#, ["Ana", "داریوش"]),
        (#"title = "مدیر فروش""#, ["داریوش"]),
        (#"first_name = "Оксана""#, ["Оксана"]),
        ("title is empty", ["Emil"]),
        ("title is not empty", ["Ana", "Bo", "Оксана", "داریوش"]),
        (#"title != "Engineer""#, ["Ana", "Оксана", "داریوش", "Emil"]),
        (#"title !~ "vp""#, ["Bo", "داریوش", "Emil"]),
        (#"company.industry ~ "bank""#, ["Ana"]),
        (#"company.country = "DK""#, ["Ana"]),
        ("company.industry is empty", ["Оксана", "داریوش", "Emil"]),
        ("stage = customer", ["Ana"]),
        ("lifecycle_stage in (customer, lead)", ["Ana", "Bo"]),
        ("owner = me", ["Ana", "Оксана", "داریوش", "Emil"]),
        (#"owner = "REP@acme.test""#, ["Bo"]),
        (#"team = "sales""#, ["Bo"]),
        ("team is empty", ["Ana", "Оксана", "داریوش", "Emil"]),
        ("consent(email) = granted", ["Оксана"]),
        ("consent(email) in (unknown, withdrawn)", ["Ana", "Bo", "داریوش", "Emil"]),
        ("email_status = undeliverable", ["داریوش"]),
        (#"bought("sku-1")"#, ["Ana"]),
        (#"not bought("SKU-1")"#, ["Bo", "Оксана", "داریوش", "Emil"]),
        ("orders(365d) >= 2", ["Ana"]),
        ("orders(365d) = 1", ["Bo"]),
        ("spent(365d) > 150", ["Ana", "Bo"]),
        ("spent(365d) >= 2000", ["Bo"]),
        (#"spent(365d, "DKK") > 150"#, ["Ana"]),
        ("birthday within 7d", ["Ana"]),
        (#"birthday < "1989-12-31""#, ["Ana"]),
        ("created_at > -1d", ["Ana", "Bo", "Оксана", "داریوش", "Emil"]),
        ("created_at < -1d", []),
        (#"name = "Ana Lund""#, ["Ana"]),
        (#"name ~ "lund""#, ["Ana"]),
        (#"in segment "VIPs" and country = "IR""#, ["داریوش"]),
        (#"in segment "Iranian VIPs" or first_name = "Emil""#, ["داریوش", "Emil"]),
        (#"country = "DK" or country = "UA" and tag is empty"#, ["Ana", "Оксана", "Emil"]),
        (#"(country = "DK" or country = "UA") and tag is empty"#, ["Оксана", "Emil"]),
        // injection attempts are values that match nothing, and break nothing
        (#"name = "x' OR 1=1 --""#, []),
        (#"title ~ "'; DROP TABLE contacts; --""#, []),
        (#"title = "\" OR \"1\"=\"1""#, []),
        (#"tag = "x') OR 1=1 OR ('""#, []),
        (#"owner = "a@b.c' OR 'x'='x""#, []),
    ]

    @Test("each query selects the same contacts on SQLite and PostgreSQL", arguments: Backend.allCases)
    func members(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (rep, _) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                var world = try await Self.build(app, client, seeded, rep: rep)
                for (name, query) in [
                    ("VIPs", #"tag = "vip""#), ("Iranian VIPs", #"in segment "VIPs" and country = "IR""#),
                ] {
                    let made = try await client.json(
                        .post, "/api/v1/segments", seeded.token,
                        String(
                            data: try JSONSerialization.data(withJSONObject: ["name": name, "query": query]),
                            encoding: .utf8)!)
                    #expect(made.status == .created, "\(made.text)")
                    world.segments[name] = made.json["id"] as? String
                }
                for (query, expected) in Self.cases {
                    let body = String(
                        data: try JSONSerialization.data(withJSONObject: ["query": query]), encoding: .utf8)!
                    let preview = try await client.json(.post, "/api/v1/segments/preview", seeded.token, body)
                    #expect(preview.status == .ok, "\(query): \(preview.text)")
                    #expect(preview.json["count"] as? Int == expected.count, "\(query) counts \(preview.text)")
                    let sample = ((preview.json["sample"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
                    #expect(
                        Set(world.ids.filter { sample.contains($0.value) }.map(\.key)) == expected,
                        "\(query) on \(backend)")
                }
                // nothing was dropped by the attempts
                let all = try await client.json(.get, "/api/v1/contacts?limit=200", seeded.token)
                #expect((all.json["data"] as? [[String: Any]])?.count == 5)
            }
        }
    }

    @Test(
        "segments are made, read, counted, listed, used as filters, changed and deleted; bad queries say where",
        arguments: Backend.allCases)
    func crud(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let (rep, repToken) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                let world = try await Self.build(app, client, seeded, rep: rep)
                // made: 201 with its id and where it is
                let made = try await client.json(
                    .post, "/api/v1/segments", seeded.token, #"{"name": "Danes", "query": "country = \"DK\""}"#)
                #expect(made.status == .created)
                let id = try #require(made.json["id"] as? String)
                #expect(made.headers[.location] == "/api/v1/segments/\(id)")
                #expect(made.json["query"] as? String == #"country = "DK""#)
                #expect(made.json["created_by"] as? String == seeded.owner.id)
                // counted and listed live
                let count = try await client.json(.get, "/api/v1/segments/\(id)/count", seeded.token)
                #expect(count.json["count"] as? Int == 2)
                let members = try await client.json(.get, "/api/v1/segments/\(id)/members?limit=1", seeded.token)
                #expect(Self.names(members, world) == ["Emil"])
                let cursor = try #require(members.json["next_cursor"] as? String)
                let next = try await client.json(
                    .get, "/api/v1/segments/\(id)/members?limit=1&cursor=\(cursor)", seeded.token)
                #expect(Self.names(next, world) == ["Ana"])
                #expect(next.json["next_cursor"] is NSNull)
                let filtered = try await client.json(.get, "/api/v1/contacts?segment_id=\(id)", seeded.token)
                #expect(Self.names(filtered, world) == ["Ana", "Emil"])
                let export = try await client.json(
                    .get, "/api/v1/exports?object=contacts&format=csv&segment_id=\(id)", seeded.token)
                #expect(export.status == .ok)
                #expect(export.text.contains("Emil") && export.text.contains("Ana") && !export.text.contains("Bo,"))
                // live: a new Dane is a member at once
                _ = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "Freja", "country": "DK"}"#)
                #expect(
                    try await client.json(.get, "/api/v1/segments/\(id)/count", seeded.token).json["count"] as? Int == 3
                )
                // a bad query: 422 naming the line and column
                let bad = try await client.json(
                    .post, "/api/v1/segments", seeded.token,
                    #"{"name": "Bad", "query": "country = \"DK\"\nand amount ~ 3"}"#)
                #expect(bad.status == .unprocessableContent)
                #expect(bad.headers[.contentType] == "application/problem+json")
                let issue = try #require((bad.json["errors"] as? [[String: Any]])?.first)
                #expect(issue["field"] as? String == "query")
                #expect(issue["line"] as? Int == 2)
                #expect(issue["column"] as? Int == 5)
                #expect((issue["message"] as? String)?.contains("Unknown field \"amount\"") == true)
                let badPreview = try await client.json(
                    .post, "/api/v1/segments/preview", seeded.token, #"{"query": "events(page_view, 30d) >="}"#)
                #expect(badPreview.status == .unprocessableContent)
                #expect((badPreview.json["errors"] as? [[String: Any]])?.first?["column"] as? Int == 26)
                let nameless = try await client.json(
                    .post, "/api/v1/segments", seeded.token, #"{"query": "tag = \"x\""}"#)
                #expect(nameless.status == .unprocessableContent)
                let taken = try await client.json(
                    .post, "/api/v1/segments", seeded.token, #"{"name": "DANES", "query": "tag = \"x\""}"#)
                #expect(taken.status == .conflict)
                let unknownMember = try await client.json(
                    .post, "/api/v1/segments", seeded.token, #"{"name": "X", "query": "tag = \"x\"", "colour": 1}"#)
                #expect(unknownMember.status == .unprocessableContent)
                // segment in segment, and a cycle refused when it would be made
                let nested = try await client.json(
                    .post, "/api/v1/segments", seeded.token,
                    #"{"name": "Danish VIPs", "query": "in segment \"Danes\" and tag = \"vip\""}"#)
                #expect(nested.status == .created)
                let nestedID = try #require(nested.json["id"] as? String)
                #expect(
                    try await client.json(.get, "/api/v1/segments/\(nestedID)/count", seeded.token).json["count"]
                        as? Int == 1)
                let etag = try #require(made.headers[.eTag])
                let cycle = try await client.json(
                    .patch, "/api/v1/segments/\(id)", seeded.token, #"{"query": "in segment \"Danish VIPs\""}"#,
                    headers: [.ifMatch: etag])
                #expect(cycle.status == .unprocessableContent)
                #expect(cycle.text.contains("cycle"))
                let selfCycle = try await client.json(
                    .patch, "/api/v1/segments/\(id)", seeded.token, #"{"query": "in segment \"Danes\""}"#)
                #expect(selfCycle.status == .unprocessableContent)
                // changed with If-Match, then stale
                let changed = try await client.json(
                    .patch, "/api/v1/segments/\(id)", seeded.token, #"{"query": "country = \"IR\""}"#,
                    headers: [.ifMatch: etag])
                #expect(changed.status == .ok)
                #expect(
                    try await client.json(.get, "/api/v1/segments/\(id)/count", seeded.token).json["count"] as? Int == 2
                )
                let stale = try await client.json(
                    .patch, "/api/v1/segments/\(id)", seeded.token, #"{"name": "Again"}"#, headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                // a member reads and counts it, but only its maker, owners and admins change it
                #expect(try await client.json(.get, "/api/v1/segments/\(id)", repToken).status == .ok)
                #expect(
                    try await client.json(.patch, "/api/v1/segments/\(id)", repToken, #"{"name": "Mine"}"#).status
                        == .forbidden)
                #expect(try await client.json(.delete, "/api/v1/segments/\(id)", repToken).status == .forbidden)
                // another workspace cannot read, count, list, use or change it: 404 as if missing
                for (method, uri) in [
                    (HTTPRequest.Method.get, "/api/v1/segments/\(id)"), (.get, "/api/v1/segments/\(id)/count"),
                    (.get, "/api/v1/segments/\(id)/members"), (.get, "/api/v1/contacts?segment_id=\(id)"),
                    (.get, "/api/v1/exports?object=contacts&segment_id=\(id)"), (.delete, "/api/v1/segments/\(id)"),
                    (.patch, "/api/v1/segments/\(id)"),
                ] {
                    let response = try await client.json(method, uri, other.token, method == .patch ? "{}" : nil)
                    #expect(response.status == .notFound, "\(method) \(uri): \(response.status)")
                }
                let theirs = try await client.json(.get, "/api/v1/segments", other.token)
                #expect((theirs.json["data"] as? [[String: Any]])?.isEmpty == true)
                let borrowed = try await client.json(
                    .post, "/api/v1/segments/preview", other.token, #"{"query": "in segment \"Danes\""}"#)
                #expect(borrowed.status == .unprocessableContent)
                // a segment filter on another object is refused
                #expect(
                    try await client.json(.get, "/api/v1/companies?segment_id=\(id)", seeded.token).status
                        == .unprocessableContent)
                // deleted: a segment that includes it stops working, saying so
                #expect(try await client.json(.delete, "/api/v1/segments/\(id)", seeded.token).status == .noContent)
                #expect(try await client.json(.get, "/api/v1/segments/\(id)", seeded.token).status == .notFound)
                let orphan = try await client.json(.get, "/api/v1/segments/\(nestedID)/count", seeded.token)
                #expect(orphan.status == .unprocessableContent)
                #expect(orphan.text.contains("There is no segment named"))
            }
        }
    }

    @Test("a rep's segment counts only the contacts they may see", arguments: Backend.allCases)
    func visibility(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (rep, repToken) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                let world = try await Self.build(app, client, seeded, rep: rep)
                let role = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Own reps", "permissions": {"contacts": {"actions": ["read", "edit"], "visibility": "own", "fields": {"job_title": "hidden"}}}}"#
                )
                let roleID = try #require(role.json["id"] as? String)
                #expect(
                    try await client.json(.patch, "/api/v1/users/\(rep.id)", seeded.token, #"{"role": "\#(roleID)"}"#)
                        .status == .ok)
                let all = try await client.json(
                    .post, "/api/v1/segments/preview", repToken, #"{"query": "created_at > -1d"}"#)
                #expect(all.json["count"] as? Int == 1)
                #expect(
                    Set(((all.json["sample"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }) == [
                        world.ids["Bo"]!
                    ])
                // a field the role hides cannot be queried; orders and companies it does not read either
                let hidden = try await client.json(
                    .post, "/api/v1/segments/preview", repToken, #"{"query": "title ~ \"vp\""}"#)
                #expect(hidden.status == .unprocessableContent)
                #expect(hidden.text.contains("Your role may not read job_title."))
                let orders = try await client.json(
                    .post, "/api/v1/segments/preview", repToken, #"{"query": "orders(30d) > 0"}"#)
                #expect(orders.status == .unprocessableContent)
                // the owner's saved segment counts 5 for the owner and 1 for the rep
                let made = try await client.json(
                    .post, "/api/v1/segments", seeded.token, #"{"name": "Everyone", "query": "country is not empty"}"#)
                let id = try #require(made.json["id"] as? String)
                #expect(
                    try await client.json(.get, "/api/v1/segments/\(id)/count", seeded.token).json["count"] as? Int == 5
                )
                #expect(
                    try await client.json(.get, "/api/v1/segments/\(id)/count", repToken).json["count"] as? Int == 1)
            }
        }
    }

    @Test("consent is read and changed per channel, with its history and timeline", arguments: Backend.allCases)
    func consent(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let contact = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "Ana", "email": "ana@example.com"}"#)
                let id = try #require(contact.json["id"] as? String)
                #expect(contact.json["email_status"] as? String == "ok")
                let empty = try await client.json(.get, "/api/v1/contacts/\(id)/consent", seeded.token)
                #expect(empty.status == .ok)
                #expect((empty.json["states"] as? [[String: Any]])?.first?["state"] as? String == "unknown")
                #expect((empty.json["history"] as? [[String: Any]])?.isEmpty == true)
                // granted through a form, then withdrawn through the unsubscribe link
                let granted = try await client.json(
                    .post, "/api/v1/contacts/\(id)/consent", seeded.token,
                    #"{"channel": "email", "state": "granted", "source": "form", "note": "Ticked the box on /pricing"}"#
                )
                #expect(granted.status == .created, "\(granted.text)")
                let record = try await client.json(.get, "/api/v1/contacts/\(id)", seeded.token)
                #expect(record.json["email_consent"] as? String == "subscribed")
                #expect(record.json["email_consent_source"] as? String == "form")
                let withdrawn = try await client.json(
                    .post, "/api/v1/contacts/\(id)/consent", seeded.token,
                    #"{"channel": "email", "state": "withdrawn", "source": "unsubscribe_link"}"#)
                #expect((withdrawn.json["states"] as? [[String: Any]])?.first?["state"] as? String == "withdrawn")
                let history = (withdrawn.json["history"] as? [[String: Any]]) ?? []
                #expect(history.map { $0["state"] as? String } == ["withdrawn", "granted"])
                #expect(history.last?["note"] as? String == "Ticked the box on /pricing")
                #expect(history.last?["user_id"] as? String == seeded.owner.id)
                // an edit of the field is a change of consent too
                _ = try await client.json(
                    .patch, "/api/v1/contacts/\(id)", seeded.token, #"{"email_consent": "subscribed"}"#)
                let edited = try await client.json(.get, "/api/v1/contacts/\(id)/consent", seeded.token)
                #expect((edited.json["history"] as? [[String: Any]])?.count == 3)
                #expect((edited.json["history"] as? [[String: Any]])?.first?["source"] as? String == "api")
                // each change is on the timeline
                let timeline = try await client.json(
                    .get, "/api/v1/contacts/\(id)/timeline?type=consent_changed", seeded.token)
                #expect((timeline.json["data"] as? [[String: Any]])?.count == 3)
                // a merge keeps the other contact's history of consent
                let twin = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "Ana", "email": "ana@work.example"}"#)
                let otherID = try #require(twin.json["id"] as? String)
                _ = try await client.json(
                    .post, "/api/v1/contacts/\(otherID)/consent", seeded.token,
                    #"{"channel": "email", "state": "granted", "source": "one_click", "note": "Newsletter box"}"#)
                let merged = try await client.json(
                    .post, "/api/v1/contacts/\(id)/merge", seeded.token, #"{"other_id": "\#(otherID)"}"#)
                #expect(merged.status == .ok, "\(merged.text)")
                let kept = try await client.json(.get, "/api/v1/contacts/\(id)/consent", seeded.token)
                #expect(
                    ((kept.json["history"] as? [[String: Any]]) ?? []).contains {
                        $0["note"] as? String == "Newsletter box"
                    })
                // an import of new contacts with consent records it, from the import
                let imported = try await client.execute(
                    uri: "/api/v1/imports?object=contacts", method: .post,
                    headers: .bearer(seeded.token, [.contentType: "text/csv"]),
                    body: ByteBuffer(
                        string:
                            "first_name,email,email_consent,email_consent_source\nIda,ida@example.dk,subscribed,Fair 2026\n"
                    ))
                #expect(imported.status == .ok || imported.status == .created, "\(imported.text)")
                let ida = try await client.json(.get, "/api/v1/contacts?email=ida@example.dk", seeded.token)
                let idaID = try #require((ida.json["data"] as? [[String: Any]])?.first?["id"] as? String)
                let idaConsent = try await client.json(.get, "/api/v1/contacts/\(idaID)/consent", seeded.token)
                #expect((idaConsent.json["states"] as? [[String: Any]])?.first?["state"] as? String == "granted")
                let idaHistory = (idaConsent.json["history"] as? [[String: Any]]) ?? []
                #expect(idaHistory.count == 1)
                #expect(idaHistory.first?["source"] as? String == "import")
                #expect(idaHistory.first?["note"] as? String == "Fair 2026")
                // bad input names each member; another workspace finds nothing
                let bad = try await client.json(
                    .post, "/api/v1/contacts/\(id)/consent", seeded.token,
                    #"{"channel": "pigeon", "state": "maybe", "source": "rumour"}"#)
                #expect(bad.status == .unprocessableContent)
                #expect(
                    Set(((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }) == [
                        "channel", "state", "source",
                    ])
                #expect(try await client.json(.get, "/api/v1/contacts/\(id)/consent", other.token).status == .notFound)
                #expect(
                    try await client.json(
                        .post, "/api/v1/contacts/\(id)/consent", other.token,
                        #"{"channel": "email", "state": "granted"}"#
                    ).status == .notFound)
            }
        }
    }
}

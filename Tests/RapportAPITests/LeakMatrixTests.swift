import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

/// Who may reach which record, tried on every API route: two workspaces, three teams, a user of each
/// built-in role and two custom roles, and records of every kind of owner and team. Every response to a
/// user is searched for the markers (names, addresses) of the records that user may not see; none may
/// appear. Routes are read from the router, so a route added without a place here fails the test.
@Suite("Leak matrix")
struct LeakMatrixTests {
    /// One user of the matrix and the facts their visibility follows from.
    struct Person: Sendable {
        var name: String
        var user: User
        var token: String
        var teams: Set<String>
        var teammates: Set<String>
        /// Whether their role manages users, teams, roles, custom fields and reads the audit log.
        var manages: Bool
    }

    /// A record of the matrix: its object, owner, team and the marker text it carries.
    struct Item: Sendable {
        var object: String
        var id: String
        var version: Int64
        var owner: String?
        var team: String?
        var marker: String
        var workspace: String
        /// The contact's address (hidden from the team role).
        var email: String?
        /// The records a task is about (its contact and company).
        var about: [String] = []
    }

    /// The matrix's world, built once per backend.
    struct World: Sendable {
        var people: [Person]
        var items: [Item]
        var workspaceA: String
        /// Ids of A's team, role, custom field, invitation and owner's token (workspace-scoped routes).
        var other: [String: String]

        func person(_ name: String) -> Person { people.first { $0.name == name }! }

        /// What `person` may do with `item`: nil when they may not see it, else whether they may change it.
        func reach(_ person: Person, _ item: Item, _ action: RecordAction = .read) -> Bool {
            guard item.workspace == person.user.workspaceID, let type = ObjectCatalog.named(item.object),
                let scope = Viewer(person.user).scopeIfAllowed(action, on: type)
            else { return false }
            if !type.isOwned { return true }
            return scope.includes(
                owner: item.owner, team: item.team, teams: person.teams, teammates: person.teammates)
        }
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// Builds the world: workspace A with five users and three teams, workspace B with its owner.
    static func build(_ app: TestApp, _ client: any TestClientProtocol) async throws -> World {
        let a = try await Fixtures.workspace(app, name: "Acme", email: "owner@acme.test")
        let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
        let (admin, adminToken) = try await Fixtures.user(app, in: a, email: "admin@acme.test", role: .admin)
        let (member, memberToken) = try await Fixtures.user(app, in: a, email: "member@acme.test", role: .member)
        let (ownRep, ownToken) = try await Fixtures.user(app, in: a, email: "own@acme.test", role: .member)
        let (teamRep, teamToken) = try await Fixtures.user(app, in: a, email: "team@acme.test", role: .member)
        func post(_ uri: String, _ json: String, token: String = a.token) async throws -> [String: Any] {
            let response = try await client.execute(
                uri: uri, method: .post, headers: .bearer(token), body: Self.body(json))
            #expect(response.status == .created, "\(uri): \(response.text)")
            return response.json
        }
        func patch(_ uri: String, _ json: String) async throws {
            let response = try await client.execute(
                uri: uri, method: .patch, headers: .bearer(a.token), body: Self.body(json))
            #expect(response.status == .ok, "\(uri): \(response.text)")
        }
        // two custom roles: reps who see their own records, and reps who see their team's but not addresses
        let ownRole =
            try await post(
                "/api/v1/roles",
                #"{"name": "Own reps", "permissions": {"contacts": {"actions": ["read","create","edit","delete","export","merge"], "visibility": "own"}, "companies": {"actions": ["read","create","edit","delete","export","merge"], "visibility": "own"}, "products": {"actions": ["read"]}, "deals": {"actions": ["read","create","edit","delete","merge"], "visibility": "own"}, "tasks": {"actions": ["read","create","edit","delete","export","merge"], "visibility": "own"}, "orders": {"actions": ["read","create","edit","delete","merge"], "visibility": "own"}}}"#
            )["id"] as! String
        let teamRole =
            try await post(
                "/api/v1/roles",
                #"{"name": "Team reps", "permissions": {"contacts": {"actions": ["read","create","edit","delete","export","merge"], "visibility": "team", "fields": {"email": "hidden", "additional_emails": "hidden"}}, "companies": {"actions": ["read","edit"], "visibility": "team", "fields": {"domain": "read_only"}}, "deals": {"actions": ["read","edit"], "visibility": "team", "fields": {"amount": "hidden"}}, "tasks": {"actions": ["read","edit"], "visibility": "team"}, "orders": {"actions": ["read","edit"], "visibility": "team"}}}"#
            )["id"] as! String
        try await patch("/api/v1/users/\(ownRep.id)", #"{"role": "\#(ownRole)"}"#)
        try await patch("/api/v1/users/\(teamRep.id)", #"{"role": "\#(teamRole)"}"#)
        let t1 =
            try await post(
                "/api/v1/teams",
                #"{"name": "Nord", "lead_id": "\#(teamRep.id)", "member_ids": ["\#(teamRep.id)", "\#(member.id)"]}"#
            )["id"] as! String
        let t2 = try await post("/api/v1/teams", #"{"name": "Syd", "member_ids": ["\#(ownRep.id)"]}"#)["id"] as! String
        _ = try await post("/api/v1/teams", #"{"name": "Øst", "member_ids": ["\#(admin.id)"]}"#)
        // records: contacts and companies of every owner, some given to a team; a product; B's own
        var items: [Item] = []
        var index = 0
        let owners: [String?] = [a.owner.id, admin.id, member.id, ownRep.id, teamRep.id, nil]
        for (owner, team) in owners.map({ ($0, nil as String?) }) + [(a.owner.id, t1), (nil, t2), (admin.id, t1)] {
            index += 1
            let marker = "Zorblaxp\(index)"
            let company = try await post(
                "/api/v1/companies",
                #"{"name": "Zorblaxc\#(index)", "domain": "zorblax\#(index).test", "owner_id": \#(owner.map { "\"\($0)\"" } ?? "null"), "team_id": \#(team.map { "\"\($0)\"" } ?? "null")}"#
            )
            items.append(
                Item(
                    object: "companies", id: company["id"] as! String, version: 1, owner: owner, team: team,
                    marker: "Zorblaxc\(index)", workspace: a.workspace.id))
            let email = "zorblax\(index)@mail.test"
            // (each contact works at the company made before it, whose owner differs: a company's timeline
            // shows its contacts' notes, which a user who sees the company may not be allowed to see)
            let employer = items.last(where: { $0.object == "companies" && $0.marker != "Zorblaxc\(index)" })?.id
            let contact = try await post(
                "/api/v1/contacts",
                #"{"first_name": "\#(marker)", "last_name": "Quux", "email": "\#(email)", "company_id": \#(employer.map { "\"\($0)\"" } ?? "null"), "owner_id": \#(owner.map { "\"\($0)\"" } ?? "null"), "team_id": \#(team.map { "\"\($0)\"" } ?? "null")}"#
            )
            items.append(
                Item(
                    object: "contacts", id: contact["id"] as! String, version: 1, owner: owner, team: team,
                    marker: marker, workspace: a.workspace.id, email: email))
            // a task about each contact and its company, assigned to the same owner and given to the same team
            // (a task's assignee is its owner for visibility)
            let task = try await post(
                "/api/v1/tasks",
                #"{"title": "Zorblaxt\#(index)", "contact_id": "\#(contact["id"] as! String)", "company_id": "\#(company["id"] as! String)", "assignee_id": \#(owner.map { "\"\($0)\"" } ?? "null"), "team_id": \#(team.map { "\"\($0)\"" } ?? "null")}"#
            )
            items.append(
                Item(
                    object: "tasks", id: task["id"] as! String, version: 1, owner: owner, team: team,
                    marker: "Zorblaxt\(index)", workspace: a.workspace.id,
                    about: [
                        contact["id"] as! String, company["id"] as! String,
                    ]))
            // a note on each contact, which shows on its company's timeline too
            _ = try await client.execute(
                uri: "/api/v1/contacts/\(contact["id"] as! String)/activities", method: .post,
                headers: .bearer(a.token),
                body: Self.body(
                    #"{"type": "note", "body": "Note about \#(marker) for @member@acme.test, @own@acme.test and @team@acme.test"}"#
                ))
        }
        // deals of every owner, each for the contact and company made with the same owner
        var dealIndex = 0
        for (owner, team) in owners.map({ ($0, nil as String?) }) + [(a.owner.id, t1), (nil, t2)] {
            dealIndex += 1
            let contact = items.last { $0.object == "contacts" && $0.owner == owner && $0.team == team }
            let company = items.last { $0.object == "companies" && $0.owner == owner && $0.team == team }
            let deal = try await post(
                "/api/v1/deals",
                #"{"name": "Zorblaxd\#(dealIndex)", "amount": 1000, "currency": "DKK", "contact_ids": [\#(contact.map { "\"\($0.id)\"" } ?? "")], "company_id": \#(company.map { "\"\($0.id)\"" } ?? "null"), "owner_id": \#(owner.map { "\"\($0)\"" } ?? "null"), "team_id": \#(team.map { "\"\($0)\"" } ?? "null")}"#
            )
            items.append(
                Item(
                    object: "deals", id: deal["id"] as! String, version: 1, owner: owner, team: team,
                    marker: "Zorblaxd\(dealIndex)", workspace: a.workspace.id))
        }
        let product = try await post("/api/v1/products", #"{"name": "Zorblax Widget", "sku": "ZW-1"}"#)
        items.append(
            Item(
                object: "products", id: product["id"] as! String, version: 1, owner: nil, team: nil,
                marker: "Zorblax Widget", workspace: a.workspace.id))
        // orders of every owner, each for the contact made with the same owner (its reference the marker)
        var orderIndex = 0
        for (owner, team) in owners.map({ ($0, nil as String?) }) + [(a.owner.id, t1), (nil, t2)] {
            orderIndex += 1
            let contact = items.last { $0.object == "contacts" && $0.owner == owner && $0.team == team }!
            let order = try await post(
                "/api/v1/orders",
                #"{"reference": "Zorblaxo\#(orderIndex)", "contact_id": "\#(contact.id)", "currency": "DKK", "lines": [{"product_id": "\#(product["id"] as! String)", "quantity": 2, "unit_price": 1500}], "owner_id": \#(owner.map { "\"\($0)\"" } ?? "null"), "team_id": \#(team.map { "\"\($0)\"" } ?? "null")}"#
            )
            items.append(
                Item(
                    object: "orders", id: order["id"] as! String, version: 1, owner: owner, team: team,
                    marker: "Zorblaxo\(orderIndex)", workspace: a.workspace.id))
        }
        let foreign = try await post(
            "/api/v1/contacts", #"{"first_name": "Zorblaxforeign", "email": "zorblaxforeign@mail.test"}"#,
            token: b.token)
        items.append(
            Item(
                object: "contacts", id: foreign["id"] as! String, version: 1, owner: b.owner.id, team: nil,
                marker: "Zorblaxforeign", workspace: b.workspace.id, email: "zorblaxforeign@mail.test"))
        // workspace-scoped things of A, for the routes that are not about records
        let field = try await post(
            "/api/v1/custom-fields", #"{"object": "contacts", "key": "budget", "label": "Budget", "type": "number"}"#)
        let invite = try await post("/api/v1/invites", #"{"email": "new@acme.test"}"#)
        let pipelines = try await client.execute(uri: "/api/v1/pipelines", method: .get, headers: .bearer(a.token))
        let firstPipeline = (pipelines.json["data"] as? [[String: Any]])?.first
        let pipeline = firstPipeline?["id"] as? String ?? ""
        let stage = ((firstPipeline?["stages"] as? [[String: Any]])?[1]["id"] as? String) ?? ""
        // email: A's sender settings and a template whose placeholders all have defaults
        let settings = try await client.execute(
            uri: "/api/v1/settings/email", method: .put, headers: .bearer(a.token),
            body: Self.body(
                #"{"smtp_host": "smtp.acme.test", "smtp_port": 2525, "tls": "off", "from": "news@acme.test"}"#))
        #expect(settings.status == .ok, "\(settings.text)")
        let template = try await post(
            "/api/v1/templates",
            #"{"name": "Hello", "kind": "transactional", "subject": "Hi {{first_name | default: \"there\"}}", "text": "Hello"}"#
        )
        // a campaign of A: a draft A/B test of the segment below with a marketing template
        let marketing = try await post(
            "/api/v1/templates",
            #"{"name": "News", "kind": "marketing", "subject": "News", "html": "<a href=\"{{unsubscribe_url}}\">x</a>"}"#
        )
        let topic = try await post("/api/v1/email-topics", #"{"name": "Newsletter"}"#)
        let tokens = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: .bearer(a.token))
        let tokenID = ((tokens.json["data"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
        // a segment of every contact of A, by the markers of their first names
        let segment = try await post(
            "/api/v1/segments", #"{"name": "Zorblax people", "query": "first_name ~ \"zorblaxp\""}"#)
        let campaign = try await post(
            "/api/v1/campaigns",
            #"{"name": "Zorblax news", "segment_id": "\#(segment["id"] as? String ?? "")", "template_id": "\#(marketing["id"] as? String ?? "")", "variants": [{"subject": "One"}, {"subject": "Two"}]}"#
        )
        let people = [
            Person(
                name: "owner", user: a.owner, token: a.token, teams: [], teammates: [a.owner.id], manages: true),
            Person(name: "admin", user: admin, token: adminToken, teams: [], teammates: [admin.id], manages: true),
            Person(
                name: "member", user: member, token: memberToken, teams: [t1], teammates: [member.id, teamRep.id],
                manages: false),
            Person(
                name: "own rep",
                user: try await app.services.accounts.user(workspaceID: a.workspace.id, id: ownRep.id)!,
                token: ownToken, teams: [t2], teammates: [ownRep.id], manages: false),
            Person(
                name: "team rep",
                user: try await app.services.accounts.user(workspaceID: a.workspace.id, id: teamRep.id)!,
                token: teamToken, teams: [t1], teammates: [member.id, teamRep.id], manages: false),
            Person(name: "B's owner", user: b.owner, token: b.token, teams: [], teammates: [b.owner.id], manages: true),
        ]
        return World(
            people: people, items: items, workspaceA: a.workspace.id,
            other: [
                "teams": t1, "roles": teamRole, "custom-fields": field["id"] as? String ?? "",
                "invites": invite["id"] as? String ?? "", "tokens": tokenID, "users": member.id,
                "pipelines": pipeline, "stages": stage, "templates": template["id"] as? String ?? "",
                "segments": segment["id"] as? String ?? "", "campaigns": campaign["id"] as? String ?? "",
                "email-topics": topic["id"] as? String ?? "",
            ])
    }

    /// Fails when a response to `person` names a record they may not see, or an address their role hides.
    static func expectNoLeak(_ response: TestResponse, to person: Person, world: World, _ what: String) {
        let text = response.text
        for item in world.items where !world.reach(person, item) {
            // (a longer marker would hold a shorter one, "Zorblaxp1" in "Zorblaxp10": the world has fewer than 10)
            if text.contains(item.marker) || item.email.map({ text.contains($0) }) == true {
                Issue.record("\(what) shows \(item.object) \(item.marker) to \(person.name)")
            }
        }
        if !Viewer(person.user).hiddenFields(.contacts).isEmpty {
            for item in world.items where item.email != nil && text.contains(item.email!) {
                Issue.record("\(what) shows the hidden address \(item.email!) to \(person.name)")
            }
        }
    }

    static func ids(_ response: TestResponse) -> Set<String> {
        Set(((response.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
    }

    @Test(
        "no route shows or changes a record a user may not reach; every allowed action works; field rules hold",
        .timeLimit(.minutes(5)), arguments: Backend.allCases)
    func matrix(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let router = try await buildRouter(app.runtime)
            // ("GET /api/v1/contacts/{id}" as the router describes it, ":id" as routes are written)
            let routes = router.routes.map {
                "\($0.method) \($0.path)".replacingOccurrences(of: "{", with: ":").replacingOccurrences(
                    of: "}", with: "")
            }
            try await app.test { client in
                let world = try await Self.build(app, client)
                var covered = Set<String>()
                for person in world.people {
                    let auth = HTTPFields.bearer(person.token)
                    func call(
                        _ method: HTTPRequest.Method, _ uri: String, _ json: String? = nil, headers: HTTPFields = [:]
                    )
                        async throws -> TestResponse
                    {
                        var fields = auth
                        for field in headers { fields.append(field) }
                        let response = try await client.execute(
                            uri: uri, method: method, headers: fields, body: json.map(Self.body))
                        Self.expectNoLeak(response, to: person, world: world, "\(method) \(uri)")
                        #expect(response.status.code < 500, "\(method) \(uri): \(response.text)")
                        return response
                    }
                    // Lists, search and export: exactly the records the person may see.
                    for type in ObjectCatalog.all {
                        let visible = Set(
                            world.items.filter { $0.object == type.name && world.reach(person, $0) }.map(\.id))
                        let list = try await call(.get, "/api/v1/\(type.name)?limit=200")
                        if Viewer(person.user).allows(.read, on: type) {
                            #expect(
                                Self.ids(list).intersection(world.items.map(\.id)) == visible,
                                "\(person.name) lists \(type.name)")
                        } else {
                            #expect(list.status == .forbidden, "\(person.name) lists \(type.name)")
                        }
                        let export = try await call(.get, "/api/v1/exports?object=\(type.name)&format=jsonl")
                        if Viewer(person.user).allows(.export, on: type) {
                            let exported = Set(
                                export.text.split(separator: "\n").compactMap {
                                    (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"]
                                        as? String
                                })
                            #expect(
                                exported.intersection(world.items.map(\.id)) == visible,
                                "\(person.name) exports \(type.name)")
                        } else {
                            #expect(export.status == .forbidden, "\(person.name) exports \(type.name)")
                        }
                        // a filter on a field the role hides would tell its values
                        if Viewer(person.user).hiddenFields(type).contains("email") {
                            let filtered = try await call(.get, "/api/v1/\(type.name)?email=zorblax1@mail.test")
                            #expect(filtered.status == .forbidden)
                        }
                    }
                    covered.formUnion(ObjectCatalog.all.map { "GET /api/v1/\($0.name)" } + ["GET /api/v1/exports"])
                    let search = try await call(.get, "/api/v1/search?q=zorblax&limit=100")
                    let searchable = Set(
                        world.items.filter { world.reach(person, $0) && $0.object != "products" }.map(\.id))
                    #expect(
                        Self.ids(search).intersection(world.items.map(\.id)).subtracting(
                            world.items.filter { $0.object == "products" }.map(\.id)) == searchable,
                        "\(person.name) searches")
                    covered.insert("GET /api/v1/search")
                    // Notifications: a mention on a record the person may not see never reaches them.
                    let notes = try await call(.get, "/api/v1/notifications?limit=200")
                    let mentioned = Set(
                        ((notes.json["data"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "mention" }
                            .compactMap { $0["record_id"] as? String })
                    if ["member", "own rep", "team rep"].contains(person.name) {
                        #expect(
                            mentioned
                                == Set(
                                    world.items.filter { $0.object == "contacts" && world.reach(person, $0) }.map(\.id)),
                            "\(person.name) is told of mentions on exactly the contacts they see")
                    }
                    _ = try await call(.get, "/api/v1/notifications/unread_count")
                    _ = try await call(.post, "/api/v1/notifications/read", #"{"all": true}"#)
                    covered.formUnion([
                        "GET /api/v1/notifications", "GET /api/v1/notifications/unread_count",
                        "POST /api/v1/notifications/read",
                    ])
                    // Segments: a segment's count and members, a preview of its query, and its use as a filter of
                    // the contacts list and of an export hold exactly the contacts the person may see; another
                    // workspace's segment is not found anywhere.
                    let segment = world.other["segments"]!
                    let visibleContacts = Set(
                        world.items.filter { $0.object == "contacts" && world.reach(person, $0) }.map(\.id))
                    let members = try await call(.get, "/api/v1/segments/\(segment)/members?limit=200")
                    let counted = try await call(.get, "/api/v1/segments/\(segment)/count")
                    let filtered = try await call(.get, "/api/v1/contacts?segment_id=\(segment)&limit=200")
                    let exportedSegment = try await call(
                        .get, "/api/v1/exports?object=contacts&format=jsonl&segment_id=\(segment)")
                    let preview = try await call(
                        .post, "/api/v1/segments/preview", #"{"query": "first_name ~ \"zorblaxp\""}"#)
                    let one = try await call(.get, "/api/v1/segments/\(segment)")
                    let segments = try await call(.get, "/api/v1/segments")
                    if person.user.workspaceID == world.workspaceA {
                        #expect(Self.ids(members) == visibleContacts, "\(person.name)'s segment members")
                        #expect(counted.json["count"] as? Int == visibleContacts.count, "\(person.name)'s count")
                        #expect(Self.ids(filtered) == visibleContacts, "\(person.name)'s contacts by segment")
                        let exportedIDs = Set(
                            exportedSegment.text.split(separator: "\n").compactMap {
                                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"]
                                    as? String
                            })
                        #expect(exportedIDs == visibleContacts, "\(person.name) exports the segment")
                        #expect(preview.json["count"] as? Int == visibleContacts.count, "\(person.name)'s preview")
                        #expect(one.status == .ok)
                        #expect(Self.ids(segments).contains(segment))
                    } else {
                        for response in [members, counted, filtered, exportedSegment, one] {
                            #expect(response.status == .notFound, "B's owner reaches A's segment: \(response.text)")
                        }
                        #expect(preview.json["count"] as? Int == 0)
                        #expect(!Self.ids(segments).contains(segment))
                    }
                    covered.formUnion([
                        "GET /api/v1/segments/:id/members", "GET /api/v1/segments/:id/count",
                        "POST /api/v1/segments/preview", "GET /api/v1/segments",
                    ])
                    // Each record by id, through every route that names one.
                    for item in world.items {
                        let sees = world.reach(person, item)
                        let reads =
                            ObjectCatalog.named(item.object).map { Viewer(person.user).allows(.read, on: $0) } ?? false
                        let hidden: HTTPResponse.Status =
                            reads || item.workspace != world.workspaceA ? .notFound : .forbidden
                        let get = try await call(.get, "/api/v1/\(item.object)/\(item.id)")
                        #expect(get.status == (sees ? .ok : hidden), "\(person.name) GET \(item.object) \(item.marker)")
                        if sees, item.object == "contacts",
                            Viewer(person.user).hiddenFields(.contacts).contains("email")
                        {
                            #expect(get.json.keys.contains("email") == false)
                            #expect(get.json.keys.contains("first_name"))
                        }
                        covered.insert("GET /api/v1/\(item.object)/:id")
                        // a change: allowed where the role edits the record; refused (403) where it only sees
                        // it; not found where it cannot see it
                        let edits = world.reach(person, item, .edit)
                        let changed = try await call(
                            .patch, "/api/v1/\(item.object)/\(item.id)",
                            item.object == "products"
                                ? #"{"category": "Changed by \#(person.name)"}"#
                                : item.object == "contacts"
                                    ? #"{"last_name": "Changed"}"#
                                    : item.object == "deals"
                                        ? #"{"source": "Changed"}"#
                                        : item.object == "tasks"
                                            ? #"{"notes": "Changed"}"#
                                            : item.object == "orders"
                                                ? #"{"ordered_at": "2026-01-02T03:04:05Z"}"# : #"{"city": "Changed"}"#)
                        #expect(
                            changed.status == (edits ? .ok : sees ? .forbidden : hidden),
                            "\(person.name) PATCH \(item.object) \(item.marker): \(changed.text)")
                        covered.insert("PATCH /api/v1/\(item.object)/:id")
                        // deleting with a stale version: reachable records answer 412 and stay
                        let deletes = world.reach(person, item, .delete)
                        let stale = "\"\(item.id.suffix(12))-999\""
                        let deleted = try await call(
                            .delete, "/api/v1/\(item.object)/\(item.id)", headers: [.ifMatch: stale])
                        #expect(
                            deleted.status == (deletes ? .preconditionFailed : sees ? .forbidden : hidden),
                            "\(person.name) DELETE \(item.object) \(item.marker)")
                        covered.insert("DELETE /api/v1/\(item.object)/:id")
                        // merging into itself is refused as 422 only for a record the person may merge
                        let merges = world.reach(person, item, .merge)
                        let merged = try await call(
                            .post, "/api/v1/\(item.object)/\(item.id)/merge", #"{"other_id": "\#(item.id)"}"#)
                        #expect(
                            merged.status == (merges ? .unprocessableContent : sees ? .forbidden : hidden),
                            "\(person.name) merges \(item.object) \(item.marker): \(merged.text)")
                        covered.insert("POST /api/v1/\(item.object)/:id/merge")
                        let type = ObjectCatalog.named(item.object)!
                        if type.timeline != nil {
                            let timeline = try await call(.get, "/api/v1/\(item.object)/\(item.id)/timeline")
                            #expect(timeline.status == (sees ? .ok : hidden), "\(person.name) timeline \(item.marker)")
                            let noted = try await call(
                                .post, "/api/v1/\(item.object)/\(item.id)/activities",
                                #"{"type": "note", "body": "Seen by \#(person.name)"}"#)
                            #expect(noted.status == (sees ? .created : hidden), "\(person.name) notes \(item.marker)")
                            covered.formUnion([
                                "GET /api/v1/\(item.object)/:id/timeline", "POST /api/v1/\(item.object)/:id/activities",
                            ])
                        }
                        // a contact's consent: read where the person sees the contact, changed where they edit it
                        if item.object == "contacts" {
                            let consent = try await call(.get, "/api/v1/contacts/\(item.id)/consent")
                            #expect(
                                consent.status == (sees ? .ok : hidden), "\(person.name) reads \(item.marker)'s consent"
                            )
                            let given = try await call(
                                .post, "/api/v1/contacts/\(item.id)/consent",
                                #"{"channel": "email", "state": "granted", "source": "admin", "note": "by \#(person.name)"}"#
                            )
                            #expect(
                                given.status
                                    == (world.reach(person, item, .edit) ? .created : sees ? .forbidden : hidden),
                                "\(person.name) changes \(item.marker)'s consent: \(given.text)")
                            covered.formUnion(["GET /api/v1/contacts/:id/consent", "POST /api/v1/contacts/:id/consent"])
                            // where the contact stands against the frequency policy: as their consent
                            let standing = try await call(.get, "/api/v1/contacts/\(item.id)/frequency")
                            #expect(
                                standing.status == (sees ? .ok : hidden),
                                "\(person.name) reads \(item.marker)'s frequency standing: \(standing.status)")
                            covered.insert("GET /api/v1/contacts/:id/frequency")
                        }
                        if !type.duplicates.isEmpty {
                            let duplicates = try await call(.get, "/api/v1/\(item.object)/\(item.id)/duplicates")
                            #expect(duplicates.status == (sees ? .ok : hidden))
                            let dismissed = try await call(
                                .post, "/api/v1/\(item.object)/\(item.id)/duplicates/\(item.id)/dismiss")
                            #expect(
                                dismissed.status == (sees ? .unprocessableContent : hidden),
                                "\(person.name) dismisses \(item.marker): \(dismissed.status) \(dismissed.text)")
                            covered.formUnion([
                                "GET /api/v1/\(item.object)/:id/duplicates",
                                "POST /api/v1/\(item.object)/:id/duplicates/:other_id/dismiss",
                            ])
                        }
                        // the deals that name a record: only those the person may see
                        if ["contacts", "companies", "products"].contains(item.object) {
                            let deals = try await call(.get, "/api/v1/\(item.object)/\(item.id)/deals")
                            #expect(deals.status == (sees ? .ok : hidden))
                            let visibleDeals = Set(
                                world.items.filter { $0.object == "deals" && world.reach(person, $0) }.map(\.id))
                            #expect(
                                Self.ids(deals).isSubset(of: visibleDeals),
                                "\(person.name) lists \(item.marker)'s deals")
                            covered.insert("GET /api/v1/\(item.object)/:id/deals")
                        }
                        // the orders that name a record (or have a line of a product): only those the person may see
                        if ["contacts", "companies", "products", "deals"].contains(item.object) {
                            let orders = try await call(.get, "/api/v1/\(item.object)/\(item.id)/orders")
                            #expect(orders.status == (sees ? .ok : hidden), "\(person.name) \(item.marker)'s orders")
                            let visibleOrders = Set(
                                world.items.filter { $0.object == "orders" && world.reach(person, $0) }.map(\.id))
                            #expect(
                                Self.ids(orders).isSubset(of: visibleOrders),
                                "\(person.name) lists \(item.marker)'s orders")
                            covered.insert("GET /api/v1/\(item.object)/:id/orders")
                        }
                        // a customer's purchases: counted over the orders the person may see
                        if ["contacts", "companies"].contains(item.object) {
                            let purchases = try await call(.get, "/api/v1/\(item.object)/\(item.id)/purchases")
                            let readsOrders = Viewer(person.user).allows(.read, on: .orders)
                            #expect(
                                purchases.status == (sees ? (readsOrders ? .ok : .forbidden) : hidden),
                                "\(person.name) \(item.marker)'s purchases: \(purchases.text)")
                            if sees, readsOrders, item.object == "contacts" {
                                let theirs = try await app.runtime.store.database.raw(
                                    "SELECT id FROM orders WHERE contact_id = \(bind: item.id)"
                                ).all().map { try $0.decode(column: "id", as: String.self) }
                                let seen = world.items.filter {
                                    $0.object == "orders" && theirs.contains($0.id) && world.reach(person, $0)
                                }
                                #expect(
                                    purchases.json["order_count"] as? Int == seen.count,
                                    "\(person.name) counts \(item.marker)'s purchases")
                            }
                            covered.insert("GET /api/v1/\(item.object)/:id/purchases")
                        }
                        if item.object == "deals" {
                            // a move to the pipeline's second stage: allowed where the role edits the deal
                            let stage = world.other["stages"]!
                            let moved = try await call(
                                .post, "/api/v1/deals/\(item.id)/move", #"{"stage_id": "\#(stage)"}"#)
                            #expect(
                                moved.status == (world.reach(person, item, .edit) ? .ok : sees ? .forbidden : hidden),
                                "\(person.name) moves \(item.marker): \(moved.text)")
                            if sees, Viewer(person.user).hiddenFields(.deals).contains("amount") {
                                let deal = try await call(.get, "/api/v1/deals/\(item.id)")
                                #expect(deal.json.keys.contains("amount") == false)
                            }
                            covered.insert("POST /api/v1/deals/:id/move")
                        }
                        if item.object == "companies" {
                            let people = try await call(.get, "/api/v1/companies/\(item.id)/contacts")
                            #expect(people.status == (sees ? .ok : hidden))
                            covered.insert("GET /api/v1/companies/:id/contacts")
                        }
                        // the tasks about a record: exactly those the person may see, when their role reads tasks
                        if ["contacts", "companies", "deals"].contains(item.object) {
                            let tasks = try await call(.get, "/api/v1/\(item.object)/\(item.id)/tasks?limit=200")
                            let readsTasks = Viewer(person.user).allows(.read, on: .tasks)
                            #expect(
                                tasks.status == (!sees ? hidden : readsTasks ? .ok : .forbidden),
                                "\(person.name) lists the tasks of \(item.marker): \(tasks.status)")
                            if sees && readsTasks {
                                #expect(
                                    Self.ids(tasks)
                                        == Set(
                                            world.items.filter {
                                                $0.object == "tasks" && $0.about.contains(item.id)
                                                    && world.reach(person, $0)
                                            }.map(\.id)),
                                    "\(person.name) lists the tasks of \(item.marker)")
                            }
                            covered.insert("GET /api/v1/\(item.object)/:id/tasks")
                        }
                        let audit = try await call(.get, "/api/v1/audit?record_id=\(item.id)")
                        #expect(audit.status == (person.manages ? .ok : .forbidden))
                        covered.insert("GET /api/v1/audit")
                    }
                    // Field rules: a write to a hidden or read-only field answers 403 naming it.
                    if person.name == "team rep" {
                        let mine = world.items.first { $0.object == "contacts" && $0.owner == person.user.id }!
                        let hiddenWrite = try await call(
                            .patch, "/api/v1/contacts/\(mine.id)", #"{"email": "new@mail.test"}"#)
                        #expect(hiddenWrite.status == .forbidden)
                        #expect(hiddenWrite.text.contains("email"))
                        let company = world.items.first { $0.object == "companies" && $0.owner == person.user.id }!
                        let readOnly = try await call(
                            .patch, "/api/v1/companies/\(company.id)", #"{"domain": "taken.test"}"#)
                        #expect(readOnly.status == .forbidden)
                        #expect(readOnly.text.contains("domain"))
                        let created = try await call(
                            .post, "/api/v1/contacts", #"{"first_name": "Fresh", "email": "fresh@mail.test"}"#)
                        #expect(created.status == .forbidden)
                        let fresh = try await call(.post, "/api/v1/contacts", #"{"first_name": "Fresh"}"#)
                        #expect(fresh.status == .created)
                        // created records are the creator's, in their first team
                        #expect(fresh.json["owner_id"] as? String == person.user.id)
                        #expect(fresh.json["team_id"] as? String == person.teams.first)
                    }
                    // Pipelines: everyone of the workspace reads them; the funnel counts what the person sees
                    // (FunnelAPITests checks its figures for a rep).
                    if person.user.workspaceID == world.workspaceA {
                        let pipeline = world.other["pipelines"]!
                        #expect(try await call(.get, "/api/v1/pipelines/\(pipeline)").status == .ok)
                        let funnel = try await call(.get, "/api/v1/pipelines/\(pipeline)/funnel")
                        let entered = (funnel.json["stages"] as? [[String: Any]])?.first?["entered"] as? Int
                        let seen = world.items.filter { $0.object == "deals" && world.reach(person, $0) }.count
                        #expect(entered == seen, "\(person.name)'s funnel counts the deals they see")
                        let renamed = try await call(.patch, "/api/v1/pipelines/\(pipeline)", #"{"name": "Sales"}"#)
                        #expect(renamed.status == (person.manages ? .ok : .forbidden))
                        // the forecast adds up the amounts of the deals the person sees (each 10.00 DKK, open),
                        // and is refused to a role that hides amounts
                        let forecast = try await call(.get, "/api/v1/forecast?pipeline_id=\(pipeline)")
                        if Viewer(person.user).hiddenFields(.deals).contains("amount") {
                            #expect(forecast.status == .forbidden)
                        } else if Viewer(person.user).allows(.read, on: .deals) {
                            let best = (forecast.json["total"] as? [String: Any])?["best_case"] as? Int
                            #expect(best == 1000 * seen, "\(person.name)'s forecast: \(forecast.text)")
                        }
                        covered.formUnion(["GET /api/v1/pipelines/:id/funnel", "GET /api/v1/forecast"])
                    } else {
                        let pipeline = world.other["pipelines"]!
                        let stage = world.other["stages"]!
                        for (method, uri, body) in [
                            (HTTPRequest.Method.get, "/api/v1/pipelines/\(pipeline)/funnel", nil),
                            (
                                .post, "/api/v1/pipelines/\(pipeline)/stages",
                                #"{"name": "X", "probability": 1, "kind": "open"}"#
                            ),
                            (.patch, "/api/v1/pipelines/\(pipeline)/stages/\(stage)", #"{"name": "X"}"#),
                            (.delete, "/api/v1/pipelines/\(pipeline)/stages/\(stage)", nil),
                        ] as [(HTTPRequest.Method, String, String?)] {
                            let response = try await call(method, uri, body)
                            #expect(response.status == .notFound, "B's owner \(method) \(uri): \(response.status)")
                        }
                        covered.formUnion([
                            "POST /api/v1/pipelines/:id/stages", "PATCH /api/v1/pipelines/:id/stages/:stage_id",
                            "DELETE /api/v1/pipelines/:id/stages/:stage_id",
                        ])
                    }
                    // Email: settings for owners and admins of the workspace only; templates read by everyone of
                    // the workspace; previews, sends and outbox lists only for contacts the person may see.
                    let inA = person.user.workspaceID == world.workspaceA
                    let settings = try await call(.get, "/api/v1/settings/email")
                    #expect(settings.status == (person.manages ? .ok : .forbidden))
                    #expect(!settings.text.contains("smtp.acme.test") || inA, "\(person.name) reads A's settings")
                    let put = try await call(.put, "/api/v1/settings/email", #"{"smtp_port": 0}"#)
                    #expect(put.status == (person.manages ? .unprocessableContent : .forbidden))
                    let test = try await call(.post, "/api/v1/settings/email/test", #"{"to": "not an address"}"#)
                    #expect(test.status == (person.manages ? .unprocessableContent : .forbidden))
                    let templateID = world.other["templates"]!
                    let templates = try await call(.get, "/api/v1/templates")
                    #expect(Self.ids(templates).contains(templateID) == inA, "\(person.name) lists A's templates")
                    let topics = try await call(.get, "/api/v1/email-topics")
                    #expect(
                        Self.ids(topics).contains(world.other["email-topics"]!) == inA,
                        "\(person.name) lists A's email topics")
                    covered.insert("GET /api/v1/email-topics")
                    let outbox = try await call(.get, "/api/v1/emails")
                    #expect(outbox.status == (person.manages ? .ok : .forbidden))
                    for item in world.items where item.object == "contacts" {
                        let sees = world.reach(person, item)
                        let reads = Viewer(person.user).allows(.read, on: .contacts)
                        let hidden: HTTPResponse.Status =
                            reads || item.workspace != world.workspaceA ? .notFound : .forbidden
                        let preview = try await call(
                            .post, "/api/v1/templates/\(templateID)/preview", #"{"contact_id": "\#(item.id)"}"#)
                        #expect(
                            preview.status == (!inA ? .notFound : sees ? .ok : hidden),
                            "\(person.name) previews for \(item.marker): \(preview.status)")
                        let sent = try await call(
                            .post, "/api/v1/emails", #"{"template_id": "\#(templateID)", "contact_id": "\#(item.id)"}"#)
                        let hasAddress =
                            item.email != nil && !Viewer(person.user).hiddenFields(.contacts).contains("email")
                        #expect(
                            sent.status
                                == (!inA ? .notFound : !sees ? hidden : hasAddress ? .accepted : .unprocessableContent),
                            "\(person.name) sends to \(item.marker): \(sent.status) \(sent.text)")
                        let theirs = try await call(.get, "/api/v1/emails?contact_id=\(item.id)")
                        #expect(theirs.status == (sees ? .ok : hidden), "\(person.name) lists \(item.marker)'s emails")
                    }
                    // Campaigns: read by everyone of the workspace; sent, cancelled and decided by owners and
                    // admins, who alone list a campaign's messages (they name recipients); B's owner reaches none.
                    let campaignID = world.other["campaigns"]!
                    let campaigns = try await call(.get, "/api/v1/campaigns")
                    #expect(Self.ids(campaigns).contains(campaignID) == inA, "\(person.name) lists A's campaigns")
                    let messages = try await call(.get, "/api/v1/campaigns/\(campaignID)/messages")
                    #expect(messages.status == (!inA ? .notFound : person.manages ? .ok : .forbidden))
                    for action in ["send", "cancel", "unschedule"] where !(inA && person.manages) {
                        let response = try await call(.post, "/api/v1/campaigns/\(campaignID)/\(action)")
                        #expect(response.status == (inA ? .forbidden : .notFound), "\(person.name) \(action)s")
                    }
                    let winner = try await call(.post, "/api/v1/campaigns/\(campaignID)/winner", #"{"variant": "Z"}"#)
                    #expect(winner.status == (!inA ? .notFound : person.manages ? .unprocessableContent : .forbidden))
                    covered.formUnion([
                        "GET /api/v1/campaigns", "GET /api/v1/campaigns/:id/messages",
                        "POST /api/v1/campaigns/:id/send",
                        "POST /api/v1/campaigns/:id/cancel", "POST /api/v1/campaigns/:id/winner",
                        "POST /api/v1/campaigns/:id/unschedule",
                    ])
                    // the frequency policy and the workspace's settings: each reads their own workspace's, owners
                    // and admins change them
                    let policy = try await call(.get, "/api/v1/settings/frequency")
                    #expect(policy.status == .ok)
                    #expect(policy.json["max_messages"] is NSNull, "\(person.name) reads another workspace's policy")
                    let capped = try await call(.put, "/api/v1/settings/frequency", #"{"max_messages": 0}"#)
                    #expect(capped.status == (person.manages ? .unprocessableContent : .forbidden))
                    let workspace = try await call(.get, "/api/v1/settings/workspace")
                    #expect(workspace.json["id"] as? String == person.user.workspaceID)
                    let zone = try await call(.put, "/api/v1/settings/workspace", #"{"time_zone": "Nowhere/Land"}"#)
                    #expect(zone.status == (person.manages ? .unprocessableContent : .forbidden))
                    covered.formUnion([
                        "GET /api/v1/settings/frequency", "PUT /api/v1/settings/frequency",
                        "GET /api/v1/settings/workspace", "PUT /api/v1/settings/workspace",
                    ])
                    covered.formUnion([
                        "GET /api/v1/settings/email", "PUT /api/v1/settings/email", "POST /api/v1/settings/email/test",
                        "GET /api/v1/templates", "GET /api/v1/emails", "POST /api/v1/emails",
                        "POST /api/v1/templates/:id/preview",
                    ])
                    // Duplicate lists and the other list-like routes: only what the person may see.
                    for path in ["/api/v1/contacts/duplicates", "/api/v1/companies/duplicates"] {
                        _ = try await call(.get, path)
                        covered.insert("GET \(path)")
                    }
                    // Routes about the workspace rather than records: B's owner reaches none of A's (A's users
                    // are left out: these routes change A's teams, roles and tokens, which the others' checks need).
                    for (noun, id) in world.other where person.user.workspaceID != world.workspaceA {
                        for route in routes where route.hasSuffix("/api/v1/\(noun)/:id") {
                            let method = HTTPRequest.Method(rawValue: String(route.split(separator: " ")[0]))!
                            let response = try await call(
                                method, "/api/v1/\(noun)/\(id)", method == .get || method == .delete ? nil : "{}")
                            #expect(
                                [.notFound, .unprocessableContent].contains(response.status),
                                "B's owner \(route): \(response.status)")
                            covered.insert(route)
                        }
                    }
                }
                // Every API route has a place in the matrix, or is about no record.
                let aboutNoRecord: Set<String> = [
                    "GET /api/v1/me", "PATCH /api/v1/me", "GET /api/v1/tokens", "POST /api/v1/tokens",
                    "GET /api/v1/users", "POST /api/v1/users", "GET /api/v1/invites", "POST /api/v1/invites",
                    "GET /api/v1/teams", "POST /api/v1/teams", "POST /api/v1/teams/:id/members",
                    "DELETE /api/v1/teams/:id/members/:user_id", "GET /api/v1/roles", "POST /api/v1/roles",
                    "GET /api/v1/custom-fields", "POST /api/v1/custom-fields", "GET /api/v1/pipelines",
                    "POST /api/v1/pipelines", "POST /api/v1/templates", "POST /api/v1/email-topics",
                    // creating records: checked above (owner and team of a new record, hidden fields)
                    "POST /api/v1/contacts", "POST /api/v1/companies", "POST /api/v1/products", "POST /api/v1/deals",
                    "POST /api/v1/tasks",
                    "POST /api/v1/orders",
                    // a new segment names no record; its members are checked above
                    "POST /api/v1/segments",
                    // a new campaign names a segment and a template of the workspace; a send reads the members
                    // with its creator's visibility (CampaignSendTests)
                    "POST /api/v1/campaigns",
                    // imports: updates of unreachable records are rejected rows (ImportVisibilityTests)
                    "POST /api/v1/imports",
                    // mail that came back: owners and admins of the workspace, which finds its messages in its
                    // own outbox only (InboundMailAPITests)
                    "POST /api/v1/email/inbound",
                ]
                for route in routes where route.contains("/api/v1/") {
                    #expect(
                        covered.contains(route) || aboutNoRecord.contains(route),
                        "\(route) is not in the leak matrix: add how it obeys visibility (covered: \(covered.sorted()))"
                    )
                }
            }
        }
    }
}

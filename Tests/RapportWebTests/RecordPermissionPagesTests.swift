import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Records as roles and teams see them")
struct RecordPermissionPagesTests {
    /// A team "Nord" of the owner and Ana; Bo in no team. Contacts: the owner's (Nord, their primary
    /// team), Ana's (Nord), Bo's (no team) and Bo's given to Nord.
    static func teamAndContacts(_ app: TestApp, _ seeded: Seeded) async throws -> (
        team: Team, ana: User, bo: User, contacts: [String: Record]
    ) {
        let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
        let ana = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member).user
        let bo = try await Fixtures.user(app, in: seeded, email: "bo@acme.test", role: .member).user
        let team = try await TeamService(app.services).create(
            principal, name: "Nord", leadID: nil, memberIDs: [seeded.owner.id, ana.id])
        let service = RecordService(app.services, schema: .contacts)
        var contacts: [String: Record] = [:]
        for (name, owner, teamID) in [
            ("Olga", seeded.owner.id, nil), ("Astrid", ana.id, nil), ("Bjarne", bo.id, nil),
            ("Dagny", bo.id, team.id),
        ] {
            var fields: [String: JSONValue] = ["first_name": .string(name), "owner_id": .string(owner)]
            if let teamID { fields["team_id"] = .string(teamID) }
            contacts[name] = try await service.create(
                .system(seeded.workspace.id), fields: fields, actor: Actor(.user, id: seeded.owner.id))
        }
        return (team, ana, bo, contacts)
    }

    static func names(_ page: TestResponse) -> Set<String> {
        Set(page.text.matches(of: #/<td class="name"><a href="[^"]*"><bdi>(\w+)</bdi>/#).map { String($0.1) })
    }

    @Test(
        "a record's page names its owner and team (or says it has none); its form picks a team; lists narrow to my records and my team's",
        arguments: Backend.allCases)
    func ownerTeamAndQuickFilters(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (team, _, _, contacts) = try await Self.teamAndContacts(app, seeded)
            #expect(contacts["Astrid"]?.string("team_id") == team.id)
            #expect(contacts["Bjarne"]?.string("team_id") == nil)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // given a contact of the team, and one of none
                let olga = try await jar.get(client, "/contacts/\(contacts["Olga"]!.id)")
                #expect(olga.text.contains("<dt>Owner</dt>"))
                #expect(olga.text.contains("Owner of Acme"))
                #expect(olga.text.contains("<dt>Team</dt>"))
                #expect(olga.text.contains(">Nord</bdi>"))
                let bjarne = try await jar.get(client, "/contacts/\(contacts["Bjarne"]!.id)")
                #expect(bjarne.text.contains("<dt>Team</dt>"))
                #expect(bjarne.text.contains(">No team</bdi>"))
                // the form has a team picker holding the team
                let form = try await jar.get(client, "/contacts/\(contacts["Olga"]!.id)/edit")
                #expect(form.text.contains(#"name="team_id" value="Nord" data-picker="/contacts/pick?field=team_id""#))
                let picked = try await jar.get(client, "/contacts/pick?field=team_id&q=no")
                #expect(picked.text.contains(#""name":"Nord""#))
                // when Bjarne is given to the team through the form, by typing its name
                let moved = try await jar.post(
                    client, "/contacts/\(contacts["Bjarne"]!.id)",
                    form: ["csrf_token": form.csrfToken ?? "", "first_name": "Bjarne", "team_id": "Nord"])
                #expect(moved.status == .seeOther)
                let service = RecordService(app.services, schema: .contacts)
                #expect(
                    try await service.get(.system(seeded.workspace.id), id: contacts["Bjarne"]!.id).string("team_id")
                        == team.id)
                // then the quick filters: all, mine, my team's (which now holds Bjarne too)
                let all = try await jar.get(client, "/contacts")
                #expect(Self.names(all) == ["Olga", "Astrid", "Bjarne", "Dagny"])
                #expect(all.text.contains(">My records</a>"))
                #expect(all.text.contains("/contacts?sort=-created_at&amp;scope=own"))
                let mine = try await jar.get(client, "/contacts?scope=own")
                #expect(Self.names(mine) == ["Olga"])
                #expect(mine.text.contains("Records you own."))
                #expect(mine.text.contains(#"<input type="hidden" name="scope" value="own">"#))
                let ours = try await jar.get(client, "/contacts?scope=team")
                #expect(Self.names(ours) == ["Olga", "Astrid", "Bjarne", "Dagny"])
                // a team filter in the panel, its chip named
                let byTeam = try await jar.get(client, "/contacts?team_id=\(team.id)")
                #expect(Self.names(byTeam) == ["Olga", "Astrid", "Bjarne", "Dagny"])
                #expect(byTeam.text.contains("Team: <bdi>Nord</bdi>"))
                // and an export follows the quick filter
                let export = try await jar.get(client, "/contacts/export?format=csv&scope=own")
                #expect(export.status == .ok)
                #expect(export.text.contains("Olga"))
                #expect(!export.text.contains("Astrid"))
            }
        }
    }

    @Test("my team's is my own, my teammates' and my teams' records; a member in no team sees only theirs")
    func teamScopeForMembers() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Self.teamAndContacts(app, seeded)
            try await app.test { client in
                let ana = try await RecordPagesTests.signIn(client, email: "ana@acme.test")
                #expect(Self.names(try await ana.get(client, "/contacts?scope=own")) == ["Astrid"])
                #expect(
                    Self.names(try await ana.get(client, "/contacts?scope=team")) == ["Olga", "Astrid", "Dagny"])
                let bo = try await RecordPagesTests.signIn(client, email: "bo@acme.test")
                #expect(Self.names(try await bo.get(client, "/contacts?scope=team")) == ["Bjarne", "Dagny"])
                // products have no owners: no quick filters
                #expect(!(try await bo.get(client, "/products")).text.contains("quick-filters"))
            }
        }
    }

    @Test("a contact made through the form with no owner or team is its maker's, in their first team; they can open it")
    func formDefaults() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let (team, ana, _, _) = try await Self.teamAndContacts(app, seeded)
            // given Ana's role reads and changes only her own contacts
            let role = try await RoleService(app.services).create(
                principal, name: "Own",
                permissions: .object([
                    "contacts": .object([
                        "actions": .array(["read", "create", "edit"].map(JSONValue.string)),
                        "visibility": .string("own"),
                    ])
                ]))
            _ = try await AccountService(app.services).changeRole(of: ana.id, to: role.id, by: principal)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "ana@acme.test")
                let form = try await jar.get(client, "/contacts/new")
                #expect(form.text.contains("Left empty, you own it."))
                // when she leaves the owner and the team empty
                let made = try await jar.post(
                    client, "/contacts",
                    form: ["csrf_token": form.csrfToken ?? "", "first_name": "Maren", "owner_id": "", "team_id": ""])
                #expect(made.status == .seeOther)
                let path = try #require(made.headers[.location])
                // then the contact is hers, in her team, and opens
                let page = try await jar.get(client, path)
                #expect(page.status == .ok)
                #expect(page.text.contains("ana@acme.test"))
                #expect(page.text.contains(">Nord</bdi>"))
                let id = String(path.split(separator: "/").last ?? "")
                let stored = try await RecordService(app.services, schema: .contacts).get(
                    .system(seeded.workspace.id), id: id)
                #expect(stored.string("owner_id") == ana.id)
                #expect(stored.string("team_id") == team.id)
            }
        }
    }

    @Test(
        "a custom role's hidden fields are absent from the list, its filters and sorts, the record page and the form; a read-only field reads as text",
        arguments: Backend.allCases)
    func hiddenAndReadOnly(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            _ = try await CustomFieldService(app.services).create(
                principal, object: "contacts", key: "tier", label: "Secret tier", type: "text", options: [])
            let role = try await RoleService(app.services).create(
                principal, name: "Callers",
                permissions: .object([
                    "contacts": .object([
                        "actions": .array(["read", "create", "edit"].map(JSONValue.string)),
                        "fields": .object([
                            "email": .string("hidden"), "lifecycle_stage": .string("hidden"),
                            "last_name": .string("hidden"), "custom.tier": .string("hidden"),
                            "job_title": .string("read_only"),
                        ]),
                    ])
                ]))
            let caller = try await Fixtures.user(app, in: seeded, email: "caller@acme.test", role: .member).user
            _ = try await AccountService(app.services).changeRole(of: caller.id, to: role.id, by: principal)
            let contact = try await RecordPagesTests.create(
                app, seeded,
                contact: [
                    "first_name": .string("Hedda"), "last_name": .string("Gabler"),
                    "email": .string("hedda.secret@gmail.com"), "lifecycle_stage": .string("customer"),
                    "job_title": .string("Buyer"), "custom": .object(["tier": .string("Platinum")]),
                ])
            // and a possible duplicate of hers by address (Gmail ignores the dot)
            _ = try await RecordPagesTests.create(
                app, seeded,
                contact: [
                    "first_name": .string("Hedda"), "last_name": .string("Tesman"),
                    "email": .string("heddasecret@gmail.com"),
                ])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "caller@acme.test")
                // the list: no column, filter, sort or value of a hidden field
                let list = try await jar.get(client, "/contacts?columns=email,lifecycle_stage,job_title,custom.tier")
                #expect(list.status == .ok)
                #expect(list.text.contains("<bdi>Hedda</bdi>"))
                for hidden in ["gmail", "Gabler", "Tesman", "Lifecycle stage", "Platinum", "Secret tier"] {
                    #expect(!list.text.contains(hidden), "the list shows \(hidden)")
                }
                #expect(!list.text.contains(#"name="lifecycle_stage""#))
                #expect(!list.text.contains(#"value="email""#))
                #expect(!list.text.contains("sort=last_name"))
                #expect(!list.text.contains("sort=-last_name"))
                #expect(list.text.contains("<th >Job title</th>") || list.text.contains(">Job title</"))
                // what the role does not allow is not offered
                #expect(!list.text.contains("/contacts/import"))
                #expect(!list.text.contains("/contacts/export"))
                #expect(!list.text.contains(#"value="delete""#))
                // a link that sorts by a hidden field says why it shows nothing
                let sorted = try await jar.get(client, "/contacts?sort=last_name")
                #expect(sorted.status == .ok)
                #expect(sorted.text.contains("Your role may not read this field."))
                // the record page
                let page = try await jar.get(client, "/contacts/\(contact.id)")
                for hidden in ["gmail", "Gabler", "Tesman", "Lifecycle stage", "Platinum", "Secret tier"] {
                    #expect(!page.text.contains(hidden), "the record page shows \(hidden)")
                }
                #expect(page.text.contains(">Buyer</bdi>"))
                // its possible duplicate says why without the hidden address
                #expect(page.text.contains("Same email: <bdi dir=\"ltr\">—</bdi>"))
                #expect(!page.text.contains(#"data-inline-field="job_title""#))
                #expect(page.text.contains(#"data-inline-field="first_name""#))
                #expect(!page.text.contains("/merge\""))
                // the form: hidden fields absent, the read-only one as text
                let form = try await jar.get(client, "/contacts/\(contact.id)/edit")
                for name in ["email", "lifecycle_stage", "last_name", "custom.tier", "job_title"] {
                    #expect(!form.text.contains(#"name="\#(name)""#), "the form has an input \(name)")
                }
                #expect(form.text.contains("Platinum") == false)
                #expect(form.text.contains("Buyer"))
                #expect(form.text.contains("Your role may not change this field."))
                // and saving it changes what may be changed, and nothing else
                let saved = try await jar.post(
                    client, "/contacts/\(contact.id)",
                    form: ["csrf_token": form.csrfToken ?? "", "first_name": "Hedvig", "version": "1"])
                #expect(saved.status == .seeOther)
                let stored = try await RecordService(app.services, schema: .contacts).get(
                    .system(seeded.workspace.id), id: contact.id)
                #expect(stored.string("first_name") == "Hedvig")
                #expect(stored.string("email") == "hedda.secret@gmail.com")
                #expect(stored.string("job_title") == "Buyer")
                #expect(stored.custom["tier"] == .string("Platinum"))
                // a read-only field edited in place anyway is refused with the role's reason
                let inline = try await jar.post(
                    client, "/contacts/\(contact.id)/inline",
                    form: ["csrf_token": form.csrfToken ?? "", "field": "job_title", "value": "Boss"])
                #expect(inline.status == .unprocessableContent)
                #expect(inline.text.contains("Your role may not change this field."))
            }
        }
    }
}

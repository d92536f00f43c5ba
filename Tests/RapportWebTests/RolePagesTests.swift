import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Roles page and the users page's roles")
struct RolePagesTests {
    /// The matrix's fields for a role that reads and changes its team's contacts (and edits only its own),
    /// reads every company, hides contacts' emails and keeps their phones read-only, and has no products.
    static func fieldSales(_ token: String, name: String = "Field sales") -> [(String, String)] {
        [
            ("csrf_token", token), ("name", name),
            ("contacts.actions", "read"), ("contacts.actions", "create"), ("contacts.actions", "edit"),
            ("contacts.actions", "export"), ("contacts.visibility", "team"), ("contacts.edit_visibility", "own"),
            ("contacts.fields.email", "hidden"), ("contacts.fields.phones", "read_only"),
            ("contacts.fields.job_title", ""),
            ("companies.actions", "read"), ("companies.visibility", "all"), ("companies.edit_visibility", "all"),
        ]
    }

    @Test(
        "the roles page shows what each built-in role allows; the matrix makes and changes a role, which the users page gives; a held role is not deleted",
        arguments: Backend.allCases)
    func roleMatrix(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let ana = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member).user
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let roles = RoleService(app.services)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // given the roles page: the built-in roles, and what they allow
                let page = try await jar.get(client, "/settings/roles")
                #expect(page.status == .ok)
                #expect(page.text.contains("Built-in roles"))
                #expect(page.text.contains("Every action · All records"))
                #expect(page.text.contains("Every action · All records, changes their own"))
                #expect(page.text.contains("No roles of its own yet."))
                let token = try #require(page.csrfToken)
                let blank = try await jar.get(client, "/settings/roles/new")
                #expect(blank.text.contains(#"name="contacts.actions" value="merge""#))
                #expect(blank.text.contains(#"name="contacts.fields.email""#))
                #expect(blank.text.contains(#"name="products.actions" value="read""#))
                // products have no owners: no choice of which records
                #expect(!blank.text.contains(#"name="products.visibility""#))
                // when the matrix is sent
                let made = try await jar.post(client, "/settings/roles", pairs: Self.fieldSales(token))
                #expect(made.status == .seeOther)
                let role = try #require(try await roles.all(principal).first)
                #expect(role.name == "Field sales")
                // then the role is what the same rules through the API would make
                let expected = try Permissions.parse(
                    .object([
                        "contacts": .object([
                            "actions": .array(["read", "create", "edit", "export"].map(JSONValue.string)),
                            "visibility": .string("team"), "edit_visibility": .string("own"),
                            "fields": .object(["email": .string("hidden"), "phones": .string("read_only")]),
                        ]),
                        "companies": .object(["actions": .array([.string("read")]), "visibility": .string("all")]),
                        "products": .object(["actions": .array([])]),
                        "deals": .object(["actions": .array([])]),
                        "tasks": .object(["actions": .array([])]),
                        "orders": .object(["actions": .array([])]),
                    ]), customFields: [:])
                #expect(role.permissions == expected)
                let listed = try await jar.get(client, "/settings/roles")
                #expect(listed.text.contains("Role created."))
                #expect(
                    listed.text.contains(
                        "Read, create, edit, export · Their team&#39;s, changes their own · 1 hidden field · 1 read-only field"
                    )
                        || listed.text.contains(
                            "Read, create, edit, export · Their team's, changes their own · 1 hidden field · 1 read-only field"
                        ))
                #expect(listed.text.contains("No access"))
                // and the same name again is refused in place
                let taken = try await jar.post(client, "/settings/roles", pairs: Self.fieldSales(token))
                #expect(taken.status == .conflict)
                #expect(taken.text.contains("Another role has this name."))
                // errors of the matrix are said beside what they are about, what was ticked kept
                let bad = try await jar.post(
                    client, "/settings/roles",
                    pairs: [
                        ("csrf_token", token), ("name", "Member"), ("contacts.actions", "edit"),
                        ("contacts.visibility", "own"), ("contacts.edit_visibility", "all"),
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(
                    bad.text.contains("Owner, admin and member are the built-in roles&#39;")
                        || bad.text.contains("Owner, admin and member are the built-in roles'"))
                #expect(bad.text.contains("Contacts: Editing, deleting, merging, importing and exporting need read."))
                #expect(bad.text.contains("Contacts: A role cannot change records it cannot read"))
                #expect(bad.text.contains(#"name="contacts.actions" value="edit" aria-label="Contacts: Edit" checked"#))
                let nothing = try await jar.post(
                    client, "/settings/roles", pairs: [("csrf_token", token), ("name", "Nobody")])
                #expect(nothing.status == .unprocessableContent)
                #expect(nothing.text.contains("A role must allow at least one action on some kind of record."))
                // when it is edited: every contact is read
                let form = try await jar.get(client, "/settings/roles/\(role.id)")
                #expect(form.text.contains(#"value="export" aria-label="Contacts: Export" checked"#))
                #expect(form.text.contains(#"<option value="hidden" selected>Hidden</option>"#))
                var changed = Self.fieldSales(token)
                changed.removeAll { $0.0 == "contacts.visibility" }
                changed += [("contacts.visibility", "all"), ("version", String(role.version))]
                let saved = try await jar.post(client, "/settings/roles/\(role.id)", pairs: changed)
                #expect(saved.status == .seeOther)
                #expect(try await roles.get(principal, id: role.id).permissions.on(.contacts).visibility == .all)
                // then the users page offers it, gives it, and names it
                let users = try await jar.get(client, "/users")
                #expect(users.text.contains(#"<option value="\#(role.id)" >Field sales</option>"#))
                let given = try await jar.post(
                    client, "/users/\(ana.id)/role", form: ["csrf_token": token, "role": role.id])
                #expect(given.status == .seeOther)
                let after = try await jar.get(client, "/users")
                #expect(after.text.contains(#"<option value="\#(role.id)" selected>Field sales</option>"#))
                let holder = try await AccountService(app.services).user(ana.id, of: principal)
                #expect(holder.customRole?.id == role.id)
                #expect(try await jar.get(client, "/settings/roles").text.contains("1 user"))
                // and it is not deleted while Ana holds it: the page says how many do
                let question = try await jar.get(client, "/settings/roles/\(role.id)/delete")
                #expect(question.text.contains("Delete this role:"))
                let held = try await jar.post(client, "/settings/roles/\(role.id)/delete", form: ["csrf_token": token])
                #expect(held.status == .conflict)
                #expect(held.text.contains("1 user holds this role; give them another role first."))
                #expect(try await roles.all(principal).count == 1)
                _ = try await jar.post(client, "/users/\(ana.id)/role", form: ["csrf_token": token, "role": "member"])
                let deleted = try await jar.post(
                    client, "/settings/roles/\(role.id)/delete", form: ["csrf_token": token])
                #expect(deleted.status == .seeOther)
                #expect(try await roles.all(principal).isEmpty)
            }
        }
    }

    @Test("the users page names each user's teams and custom role; a member reads the roles page only")
    func usersAndMembers() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let ana = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member).user
            _ = try await TeamService(app.services).create(principal, name: "Nord", leadID: nil, memberIDs: [ana.id])
            _ = try await TeamService(app.services).create(principal, name: "Syd", leadID: nil, memberIDs: [ana.id])
            let role = try await RoleService(app.services).create(
                principal, name: "Readers",
                permissions: .object(["contacts": .object(["actions": .array([.string("read")])])]))
            _ = try await AccountService(app.services).changeRole(of: ana.id, to: role.id, by: principal)
            try await app.test { client in
                let owner = try await RecordPagesTests.signIn(client)
                let users = try await owner.get(client, "/users")
                #expect(users.text.contains("<bdi>Nord, Syd</bdi>"))
                let member = try await RecordPagesTests.signIn(client, email: "ana@acme.test")
                let page = try await member.get(client, "/settings/roles")
                #expect(page.status == .ok)
                #expect(page.text.contains("<bdi>Readers</bdi>"))
                #expect(!page.text.contains("/settings/roles/new"))
                #expect(try await member.get(client, "/settings/roles/new").status == .forbidden)
                #expect(try await member.get(client, "/users").status == .forbidden)
            }
        }
    }

    @Test("in Persian the matrix's errors read in Persian")
    func persian() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "sara@acme.test", role: .admin, language: .fa)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "sara@acme.test")
                let page = try await jar.get(client, "/settings/roles")
                #expect(page.text.contains("نقش‌های پیش‌ساخته"))
                let bad = try await jar.post(
                    client, "/settings/roles",
                    pairs: [("csrf_token", page.csrfToken ?? ""), ("name", "فروش"), ("contacts.actions", "export")])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("ویرایش، پاک کردن، ادغام، درون‌ریزی و برون‌بری به خواندن نیاز دارند."))
            }
        }
    }
}

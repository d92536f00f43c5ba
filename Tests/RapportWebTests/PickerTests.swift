import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Type-ahead pickers of companies and owners")
struct PickerTests {
    static func company(_ app: TestApp, _ seeded: Seeded, _ name: String, domain: String? = nil) async throws -> Record
    {
        var fields: [String: JSONValue] = ["name": .string(name)]
        if let domain { fields["domain"] = .string(domain) }
        return try await RecordService(app.services, schema: .companies).create(
            .system(seeded.workspace.id), fields: fields, actor: Actor(.user, id: seeded.owner.id))
    }

    @Test(
        "a picker offers the workspace's matches as one types, and none of another workspace's",
        arguments: Backend.allCases)
    func offers(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Globex", email: "owner@globex.test")
            _ = try await Self.company(app, seeded, "Nordlys ApS", domain: "nordlys.dk")
            _ = try await Self.company(app, seeded, "Acme Corp")
            _ = try await Self.company(app, other, "Nordlys Secret")
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let found = try await jar.get(client, "/contacts/pick?field=company_id&q=nord")
                #expect(found.status == .ok)
                #expect(found.text.contains(#""name":"Nordlys ApS""#))
                #expect(found.text.contains(#""detail":"nordlys.dk""#))
                #expect(!found.text.contains("Acme Corp"))
                #expect(!found.text.contains("Secret"))
                let owners = try await jar.get(client, "/contacts/pick?field=owner_id&q=own")
                #expect(owners.text.contains("Owner of Acme"))
                #expect(!owners.text.contains("globex"))
                let wrong = try await jar.get(client, "/contacts/pick?field=first_name&q=a")
                #expect(wrong.status == .unprocessableContent)
                // the form is a text picker, not a list of every company
                let form = try await jar.get(client, "/contacts/new")
                #expect(form.text.contains(#"data-picker="/contacts/pick?field=company_id""#))
                #expect(
                    !form.text.contains(
                        "<option value=\"\(try #require(try await RecordService(app.services, schema: .companies).list(.system(seeded.workspace.id), query: ListQuery(), limit: 1, after: nil).records.first).id)\""
                    ))
            }
        }
    }

    @Test(
        "a typed name becomes the record it names; an unknown or shared name is refused in place",
        arguments: Backend.allCases)
    func resolves(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let nordlys = try await Self.company(app, seeded, "Nordlys ApS")
            let twinA = try await Self.company(app, seeded, "Twin")
            _ = try await Self.company(app, seeded, "Twin")
            let contacts = RecordService(app.services, schema: .contacts)
            @Sendable func count() async throws -> Int {
                try await contacts.count(.system(seeded.workspace.id), query: ListQuery())
            }
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                var form = try await jar.get(client, "/contacts/new")
                // typed without choosing from the list (no JavaScript): the name is looked up, ignoring case
                let created = try await jar.post(
                    client, "/contacts",
                    form: [
                        "first_name": "Ida", "company_id": "nordlys aps", "owner_id": "Owner of Acme",
                        "csrf_token": form.csrfToken ?? "",
                    ])
                #expect(created.status == .seeOther)
                let ida = try #require(
                    try await contacts.list(.system(seeded.workspace.id), query: ListQuery(), limit: 5, after: nil)
                        .records.first)
                #expect(ida.string("company_id") == nordlys.id)
                #expect(ida.string("owner_id") == seeded.owner.id)
                // the edit form shows the company's name, with its id beside it
                let edit = try await jar.get(client, "/contacts/\(ida.id)/edit")
                #expect(edit.text.contains(#"value="Nordlys ApS""#))
                #expect(edit.text.contains(#"name="company_id.picked" value="\#(nordlys.id)""#))
                // a name nobody has, and a name two companies share, are refused and nothing is created
                form = try await jar.get(client, "/contacts/new")
                let unknown = try await jar.post(
                    client, "/contacts",
                    form: ["first_name": "Ole", "company_id": "Initech", "csrf_token": form.csrfToken ?? ""])
                #expect(unknown.status == .unprocessableContent)
                #expect(unknown.text.contains("No company is called “Initech”."))
                #expect(unknown.text.contains(#"value="Initech""#))
                let shared = try await jar.post(
                    client, "/contacts",
                    form: ["first_name": "Ole", "company_id": "Twin", "csrf_token": form.csrfToken ?? ""])
                #expect(shared.status == .unprocessableContent)
                #expect(shared.text.contains("choose one from the list"))
                #expect(try await count() == 1)
                // chosen from the list, the id decides between the two
                let chosen = try await jar.post(
                    client, "/contacts",
                    form: [
                        "first_name": "Ole", "company_id": "Twin", "company_id.picked": twinA.id,
                        "company_id.picked_title": "Twin", "csrf_token": form.csrfToken ?? "",
                    ])
                #expect(chosen.status == .seeOther)
                let ole = try #require(
                    try await contacts.list(.system(seeded.workspace.id), query: ListQuery(), limit: 5, after: nil)
                        .records.first { $0.string("first_name") == "Ole" })
                #expect(ole.string("company_id") == twinA.id)
                // an id chosen earlier does not win over a name typed after it
                let retyped = try await jar.post(
                    client, "/contacts/\(ole.id)",
                    form: [
                        "first_name": "Ole", "company_id": "Nordlys ApS", "company_id.picked": twinA.id,
                        "company_id.picked_title": "Twin", "version": "\(ole.version)",
                        "csrf_token": form.csrfToken ?? "",
                    ])
                #expect(retyped.status == .seeOther)
                #expect(
                    try await contacts.get(.system(seeded.workspace.id), id: ole.id).string("company_id")
                        == nordlys.id)
            }
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Suggested duplicate pages")
struct DuplicatePagesTests {
    static func contact(_ app: TestApp, _ seeded: Seeded, _ fields: [String: JSONValue]) async throws -> Record {
        try await RecordPagesTests.create(app, seeded, contact: fields)
    }

    @Test(
        "a record's page lists its possible duplicates with why, Merge and Not a duplicate, which is remembered",
        arguments: Backend.allCases)
    func recordPanel(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let anna = try await Self.contact(
                app, seeded,
                ["first_name": .string("Anna"), "last_name": .string("Berg"), "email": .string("anna.berg@gmail.com")])
            let twin = try await Self.contact(
                app, seeded,
                [
                    "first_name": .string("Anna"), "last_name": .string("B."), "email": .string("annaberg@gmail.com"),
                    "job_title": .string("Buyer"),
                ])
            let loner = try await Self.contact(app, seeded, ["first_name": .string("Bo")])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // given two contacts with the same Gmail address, written differently
                let page = try await jar.get(client, "/contacts/\(anna.id)")
                #expect(page.status == .ok)
                #expect(page.text.contains("Possible duplicates"))
                #expect(page.text.contains("Same email: <bdi dir=\"ltr\">annaberg@gmail.com</bdi>"))
                #expect(page.text.contains(#"href="/contacts/\#(twin.id)"><bdi>Anna B.</bdi></a>"#))
                #expect(page.text.contains("Buyer"))
                #expect(page.text.contains(#"href="/contacts/\#(anna.id)/merge?other=\#(twin.id)""#))
                let action = "/contacts/\(anna.id)/duplicates/\(twin.id)/dismiss"
                #expect(page.text.contains(#"action="\#(action)""#))
                // a record without duplicates has no panel
                let lonely = try await jar.get(client, "/contacts/\(loner.id)")
                #expect(!lonely.text.contains("Possible duplicates"))
                // without the form's token, nothing is dismissed
                let forged = try await jar.post(client, action, form: ["back": "/contacts/\(anna.id)"])
                #expect(forged.status == .forbidden)
                #expect(try await jar.get(client, "/contacts/\(anna.id)").text.contains("Possible duplicates"))
                // when marked as not a duplicate, the page says so and suggests it no more, nor does the other's
                let dismissed = try await jar.post(
                    client, action, form: ["csrf_token": page.csrfToken ?? "", "back": "/contacts/\(anna.id)"])
                #expect(dismissed.status == .seeOther)
                #expect(dismissed.headers[.location] == "/contacts/\(anna.id)")
                let after = try await jar.get(client, "/contacts/\(anna.id)")
                #expect(after.text.contains("Marked as not a duplicate"))
                #expect(!after.text.contains("Possible duplicates"))
                #expect(!(try await jar.get(client, "/contacts/\(twin.id)").text.contains("Possible duplicates")))
                #expect(try await jar.get(client, "/contacts/duplicates").text.contains("No possible duplicates."))
            }
        }
    }

    @Test(
        "the workspace's duplicates page lists each pair with both names and why, in the viewer's language",
        arguments: Backend.allCases)
    func workspaceList(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "fa@acme.test", role: .member, language: .fa)
            let acme = try await RecordService(app.services, schema: .companies).create(
                .system(seeded.workspace.id), fields: ["name": .string("Acme A/S")],
                actor: Actor(.user, id: seeded.owner.id))
            let first = try await Self.contact(
                app, seeded,
                ["first_name": .string("Maryam"), "last_name": .string("Rezaei"), "company_id": .string(acme.id)])
            let second = try await Self.contact(
                app, seeded,
                ["first_name": .string("مریم"), "last_name": .string("Rezaei"), "company_id": .string(acme.id)])
            _ = second
            let third = try await Self.contact(
                app, seeded,
                ["first_name": .string("maryam"), "last_name": .string("REZAEI"), "company_id": .string(acme.id)])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let list = try await jar.get(client, "/contacts")
                #expect(list.text.contains(#"href="/contacts/duplicates""#))
                let page = try await jar.get(client, "/contacts/duplicates")
                #expect(page.status == .ok)
                #expect(page.text.contains("Possible duplicate contacts"))
                #expect(page.text.contains("Similar name at <bdi>Acme A/S</bdi>"))
                #expect(page.text.contains("<bdi>Maryam Rezaei</bdi>"))
                #expect(page.text.contains("<bdi>maryam REZAEI</bdi>"))
                #expect(page.text.contains(#"href="/contacts/\#(first.id)/merge?other=\#(third.id)""#))
                #expect(page.text.contains(#"action="/contacts/\#(first.id)/duplicates/\#(third.id)/dismiss""#))
                // dismissing from the list returns to it
                let dismissed = try await jar.post(
                    client, "/contacts/\(first.id)/duplicates/\(third.id)/dismiss",
                    form: ["csrf_token": page.csrfToken ?? "", "back": "/contacts/duplicates"])
                #expect(dismissed.headers[.location] == "/contacts/duplicates")
                #expect(try await jar.get(client, "/contacts/duplicates").text.contains("No possible duplicates."))
                // a Persian reader sees the page in Persian
                let persian = try await RecordPagesTests.signIn(client, email: "fa@acme.test")
                let fa = try await persian.get(client, "/companies/duplicates")
                #expect(fa.text.contains("شرکت‌های تکراری احتمالی"))
                // products have no duplicates page
                #expect(try await jar.get(client, "/products").text.contains("/products/duplicates") == false)
                #expect(try await persian.get(client, "/contacts/duplicates?after=nope").status == .badRequest)
            }
        }
    }

    @Test("another workspace's pair cannot be dismissed from the web", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let one = try await Self.contact(
                app, seeded, ["first_name": .string("Eva"), "email": .string("eva@x.test")])
            let two = try await Self.contact(
                app, seeded, ["first_name": .string("Eva"), "email": .string("eva+1@x.test")])
            try await app.test { client in
                let intruder = try await RecordPagesTests.signIn(client, email: "owner@other.test")
                let home = try await intruder.get(client, "/contacts")
                let refused = try await intruder.post(
                    client, "/contacts/\(one.id)/duplicates/\(two.id)/dismiss",
                    form: ["csrf_token": home.csrfToken ?? ""])
                #expect(refused.status == .notFound)
                #expect(!(try await intruder.get(client, "/contacts/duplicates").text.contains("Eva")))
                let owner = try await RecordPagesTests.signIn(client)
                #expect(try await owner.get(client, "/contacts/\(one.id)").text.contains("Possible duplicates"))
            }
        }
    }
}

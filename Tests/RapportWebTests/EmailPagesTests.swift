import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportMailTestSupport
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Email settings and template pages", .timeLimit(.minutes(3)))
struct EmailPagesTests {
    @Test("Settings → Email saves the sender, never shows the password, and sends a test message")
    func settingsPage() async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(.sqlite) { app in
                _ = try await Fixtures.workspace(app)
                try await app.test { client in
                    let jar = try await RecordPagesTests.signIn(client)
                    var page = try await jar.get(client, "/settings/email")
                    #expect(page.status == .ok)
                    let bad = try await jar.post(
                        client, "/settings/email",
                        form: [
                            "smtp_host": "127.0.0.1", "smtp_port": "0", "tls": "off", "from": "x",
                            "csrf_token": page.csrfToken ?? "",
                        ])
                    #expect(bad.status == .unprocessableContent)
                    #expect(bad.text.contains("aria-invalid"))
                    let saved = try await jar.post(
                        client, "/settings/email",
                        form: [
                            "smtp_host": "127.0.0.1", "smtp_port": "\(server.port)", "tls": "off",
                            "from": "news@acme.test", "from_name": "Acme", "password": "Hunter2-secret",
                            "csrf_token": page.csrfToken ?? "",
                        ])
                    #expect(saved.status == .seeOther)
                    page = try await jar.get(client, "/settings/email")
                    #expect(page.text.contains("Email settings saved."))
                    #expect(!page.text.contains("Hunter2-secret"))
                    #expect(page.text.contains("A password is saved"))
                    let tested = try await jar.post(
                        client, "/settings/email/test",
                        form: ["to": "ida@mail.test", "csrf_token": page.csrfToken ?? ""])
                    #expect(tested.text.contains("The server accepted the test message."), "\(tested.text)")
                    #expect(try server.received().count == 1)
                }
            }
        }
    }

    @Test(
        "Marketing → Templates: a template is written, refused with its line and column, and previewed, in Persian RTL")
    func templatePages() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            _ = try await RecordService(app.services, schema: .contacts).create(
                principal.viewer, fields: ["first_name": .string("سارا"), "email": .string("sara@mail.test")],
                actor: Actor(.user, id: seeded.owner.id))
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                var page = try await jar.get(client, "/marketing/templates/new")
                let bad = try await jar.post(
                    client, "/marketing/templates",
                    form: [
                        "name": "Hi", "kind": "transactional", "subject": "Hi {{first_name", "html": "",
                        "text": "x", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("Line 1, column 4"))
                let created = try await jar.post(
                    client, "/marketing/templates",
                    form: [
                        "name": "خوش‌آمد", "kind": "marketing", "subject": "سلام {{first_name}}",
                        "html": "<p>سلام {{first_name}}</p><a href=\"{{unsubscribe_url}}\">لغو</a>", "text": "",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(created.status == .seeOther)
                let location = try #require(created.headers[.location])
                page = try await jar.get(client, location + "?contact=sara@mail.test")
                #expect(page.text.contains("سلام سارا"))
                #expect(page.text.contains("srcdoc="))
                let list = try await jar.get(client, "/marketing/templates")
                #expect(list.text.contains("خوش‌آمد"))
                // in Persian the page reads right to left
                _ = try await AccountService(app.services).updateProfile(
                    of: principal, name: nil, language: .fa, expectedVersion: nil)
                let persian = try await jar.get(client, "/marketing/templates")
                #expect(persian.text.contains(#"dir="rtl""#))
                #expect(persian.text.contains("قالب‌های ایمیل"))
            }
        }
    }

    @Test(
        "an unsubscribe link made before links named their message asks to confirm, then suppresses the address and withdraws the contact's consent; a forged one answers 400"
    )
    func unsubscribe() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let contact = try await RecordService(app.services, schema: .contacts).create(
                .system(seeded.workspace.id),
                fields: ["first_name": .string("Oksana"), "email": .string("oksana@mail.test")],
                actor: Actor(.user, id: seeded.owner.id))
            let url = EmailService(app.services).unsubscribeURL(
                workspaceID: seeded.workspace.id, address: "Oksana@Mail.test")
            let path = String(url[try #require(url.range(of: "/u/")).lowerBound...])
            try await app.test { client in
                let page = try await client.execute(uri: path, method: .get)
                #expect(page.status == .ok)
                #expect(page.text.contains("oksana@mail.test"))
                let store = EmailSettingsRepository(store: app.runtime.store)
                #expect(
                    try await store.suppression(workspaceID: seeded.workspace.id, address: "oksana@mail.test") == nil)
                let done = try await client.execute(uri: path, method: .post)
                #expect(done.status == .ok)
                #expect(
                    try await store.suppression(workspaceID: seeded.workspace.id, address: "oksana@mail.test")
                        == "unsubscribed")
                let consents = try await ConsentRepository(store: app.runtime.store).history(
                    workspaceID: seeded.workspace.id, contactID: contact.id)
                #expect(consents.map(\.source) == ["unsubscribe_link"])
                let forged = try await client.execute(uri: path.dropLast(2) + "00", method: .post)
                #expect(forged.status == .badRequest)
            }
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Times in the viewer's time zone and calendar")
struct ViewerTimeTests {
    @Test(
        "a user's time zone and calendar change how the timeline reads and how a logged time is taken",
        arguments: Backend.allCases)
    func timeZoneAndCalendar(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let lars = try await RecordViewTests.contact(app, seeded, ["first_name": .string("Lars")])
            let timeline = TimelineService(app.services)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                var page = try await jar.get(client, "/settings/profile")
                // an unknown zone is refused in place, and nothing changes
                let bad = try await jar.post(
                    client, "/settings/profile",
                    form: [
                        "name": "Owner of Acme", "language": "en", "time_zone": "Mars/Olympus", "calendar": "gregorian",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("Choose a time zone from the list"))
                #expect(try await app.services.accounts.user(email: "owner@acme.test")?.timeZone == "UTC")
                // Tehran is UTC+3:30: a call logged at 14:30 there happened at 11:00 UTC
                page = try await jar.get(client, "/settings/profile")
                #expect(page.text.contains(#"value="Asia/Tehran""#))  // (suggested as the user types)
                let saved = try await jar.post(
                    client, "/settings/profile",
                    form: [
                        "name": "Owner of Acme", "language": "en", "time_zone": "Asia/Tehran", "calendar": "persian",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(saved.status == .ok)
                page = try await jar.get(client, "/contacts/\(lars.id)")
                _ = try await jar.post(
                    client, "/contacts/\(lars.id)/activities",
                    form: [
                        "type": "call", "body": "Called back", "occurred_at": "2025-06-01T14:30",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                let calls = try await timeline.page(
                    .system(seeded.workspace.id), of: .contacts, id: lars.id, types: ["call"], limit: 5, after: nil)
                #expect(calls.items.first.map { Timestamp.rfc3339($0.occurredAt) } == "2025-06-01T11:00:00.000Z")
                // shown back at 14:30 in the Persian calendar (1 June 2025 is 11 Khordad 1404)
                page = try await jar.get(client, "/contacts/\(lars.id)")
                #expect(page.text.contains("Khordad 11, 1404 at 2:30"))
                #expect(!page.text.contains("Jun 1, 2025"))
                // the same page for a colleague in UTC reads 11:00 in the Gregorian calendar
                _ = try await Fixtures.user(app, in: seeded, email: "ida@acme.test", role: .member)
                let danish = try await RecordPagesTests.signIn(client, email: "ida@acme.test")
                let other = try await danish.get(client, "/contacts/\(lars.id)")
                #expect(other.text.contains("Jun 1, 2025"))
                #expect(other.text.contains("11:00"))
                #expect(!other.text.contains("Khordad"))
            }
        }
    }

    @Test("the API reads and changes the caller's time zone and calendar, and refuses unknown ones")
    func api() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let auth = HTTPFields.bearer(seeded.token, [.contentType: "application/json"])
                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: auth)
                #expect(me.text.contains(#""time_zone":"UTC""#))
                #expect(me.text.contains(#""calendar":"gregorian""#))
                let bad = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: auth,
                    body: .json(#"{"time_zone":"Europe/Atlantis","calendar":"lunar"}"#))
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("time_zone"))
                #expect(bad.text.contains("calendar"))
                let good = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: auth,
                    body: .json(#"{"time_zone":"Europe/Copenhagen","calendar":"persian"}"#))
                #expect(good.status == .ok)
                let user = try await app.services.accounts.user(email: "owner@acme.test")
                #expect(user?.timeZone == "Europe/Copenhagen")
                #expect(user?.calendar == .persian)
            }
        }
    }
}

@Suite("Form messages in the viewer's language")
struct FormMessageTests {
    @Test("a Persian user's form errors are in Persian; the API's stay in English", arguments: Backend.allCases)
    func persian(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "fa@acme.test", role: .member, language: .fa)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "fa@acme.test")
                let form = try await jar.get(client, "/contacts/new")
                let bad = try await jar.post(
                    client, "/contacts",
                    form: [
                        "first_name": "Ida", "email": "not-an-address", "phones": "+45 abc",
                        "company_id": "Initech", "csrf_token": form.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("شرکتی به نام «Initech» نیست."))
                let empty = try await jar.post(
                    client, "/contacts",
                    form: ["email": "not-an-address", "csrf_token": form.csrfToken ?? ""])
                #expect(empty.text.contains("«not-an-address» نشانی ایمیل معتبری نیست."))
                #expect(!empty.text.contains("is not a valid email address"))
                let api = try await client.execute(
                    uri: "/api/v1/contacts", method: .post,
                    headers: .bearer(seeded.token, [.contentType: "application/json"]),
                    body: .json(#"{"email": "not-an-address"}"#))
                #expect(api.text.contains(#""not-an-address\" is not a valid email address."#))
            }
        }
    }
}

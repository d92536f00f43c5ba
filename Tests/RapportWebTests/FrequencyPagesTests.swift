import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportMailTestSupport
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Sending limits, workspace settings and a contact's emails", .timeLimit(.minutes(3)))
struct FrequencyPagesTests {
    @Test("Settings → Sending limits: refused field by field, saved, summarised, in Persian RTL; members read only")
    func sendingLimits() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "member@acme.test", role: .member)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                var page = try await jar.get(client, "/settings/frequency")
                #expect(page.status == .ok)
                #expect(page.text.contains("No limits: marketing email goes as soon as it is queued."))
                #expect(page.text.contains(#"href="/settings/frequency" aria-current="page""#))
                let bad = try await jar.post(
                    client, "/settings/frequency",
                    form: [
                        "max_messages": "3", "window_days": "", "min_gap_hours": "abc", "quiet_start": "24:00",
                        "quiet_end": "07:00", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("Must be a whole number."))
                #expect(bad.text.contains("A cap needs both a number of messages and a number of days."))
                #expect(bad.text.contains("Must be a time of day, from 00:00 to 23:59."))
                #expect(bad.text.contains(#"value="abc""#))
                #expect(
                    try await FrequencyService(app.services).get(
                        Principal(user: seeded.owner, workspace: seeded.workspace)
                    ).isEmpty)
                let saved = try await jar.post(
                    client, "/settings/frequency",
                    form: [
                        "max_messages": "3", "window_days": "7", "min_gap_hours": "12", "quiet_start": "22:00:00",
                        "quiet_end": "07:00", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(saved.status == .seeOther)
                page = try await jar.get(client, "/settings/frequency")
                #expect(page.text.contains("Sending limits saved."))
                #expect(page.text.contains("At most 3 marketing messages per contact in 7 days."))
                #expect(page.text.contains("At least 12 hours between two."))
                #expect(
                    page.text.contains("None between 22:00 and 07:00, in the contact&#39;s time zone.")
                        || page.text.contains("None between 22:00 and 07:00, in the contact's time zone."))
                #expect(page.text.contains(#"name="quiet_start" value="22:00""#))
                // in Persian: right to left, Persian digits in the summary, a Persian number typed is understood
                let owner = Principal(user: seeded.owner, workspace: seeded.workspace)
                _ = try await AccountService(app.services).updateProfile(
                    of: owner, name: nil, language: .fa, expectedVersion: nil)
                let persian = try await jar.get(client, "/settings/frequency")
                #expect(persian.text.contains(#"dir="rtl""#))
                #expect(persian.text.contains("محدودیت ارسال"))
                #expect(persian.text.contains("۲۲:۰۰"))
                let typed = try await jar.post(
                    client, "/settings/frequency",
                    form: [
                        "max_messages": "۲", "window_days": "۷", "min_gap_hours": "", "quiet_start": "",
                        "quiet_end": "", "csrf_token": persian.csrfToken ?? "",
                    ])
                #expect(typed.status == .seeOther)
                #expect(try await FrequencyService(app.services).get(owner).cap == .init(maxMessages: 2, windowDays: 7))
                // a member sees the rules but no tab, no button, and may not post
                let member = try await RecordPagesTests.signIn(client, email: "member@acme.test")
                let shown = try await member.get(client, "/settings/frequency")
                #expect(shown.status == .ok)
                #expect(shown.text.contains("disabled"))
                #expect(!shown.text.contains(#"href="/settings/frequency""#))
                let refused = try await member.post(
                    client, "/settings/frequency",
                    form: ["max_messages": "9", "window_days": "1", "csrf_token": shown.csrfToken ?? ""])
                #expect(refused.status == .forbidden)
                #expect(try await FrequencyService(app.services).get(owner).cap?.maxMessages == 2)
            }
        }
    }

    @Test("Settings → Workspace: the time zone is chosen from IANA names, a wrong one is refused")
    func workspaceTimeZone() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/settings/workspace")
                #expect(page.status == .ok)
                #expect(page.text.contains(#"name="time_zone" value="UTC""#))
                #expect(page.text.contains("Europe/Copenhagen"))
                let bad = try await jar.post(
                    client, "/settings/workspace",
                    form: ["time_zone": "Atlantis/Capital", "csrf_token": page.csrfToken ?? ""])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("Choose a time zone from the list, such as Europe/Copenhagen."))
                let saved = try await jar.post(
                    client, "/settings/workspace",
                    form: ["time_zone": "Asia/Tehran", "csrf_token": page.csrfToken ?? ""])
                #expect(saved.status == .seeOther)
                let again = try await jar.get(client, "/settings/workspace")
                #expect(again.text.contains("Workspace settings saved."))
                #expect(again.text.contains(#"value="Asia/Tehran""#))
                #expect(again.text.contains("UTC+03:30"))
                #expect(
                    try await WorkspaceService(app.services).timeZoneName(workspaceID: seeded.workspace.id)
                        == "Asia/Tehran")
            }
        }
    }

    @Test("a contact's page lists their emails, why one waits, and when the next marketing email may go")
    func contactEmails() async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(.sqlite) { app in
                let seeded = try await Fixtures.workspace(app)
                let owner = Principal(user: seeded.owner, workspace: seeded.workspace)
                _ = try await EmailSettingsService(app.services).put(
                    owner,
                    .init(
                        host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                        from: "news@acme.test", fromName: nil, replyTo: nil))
                _ = try await FrequencyService(app.services).put(owner, .init(minGapHours: 12))
                let records = RecordService(app.services, schema: .contacts)
                let actor = Actor(.user, id: seeded.owner.id)
                let mahsa = try await records.create(
                    owner.viewer,
                    fields: [
                        "first_name": .string("Mahsa"), "email": .string("mahsa@mail.test"),
                        "email_consent": .string("subscribed"),
                    ], actor: actor)
                let lars = try await records.create(
                    owner.viewer, fields: ["first_name": .string("Lars"), "email": .string("lars@mail.test")],
                    actor: actor)
                for (key, contact) in [("Spring news", mahsa), ("Summer news", mahsa), ("Autumn news", lars)] {
                    _ = try await EmailService(app.services).enqueue(
                        .init(
                            workspaceID: seeded.workspace.id, idempotencyKey: key, kind: .marketing,
                            contactID: contact.id, toAddress: contact.string("email")!,
                            rendered: RenderedTemplate(subject: key, html: nil, text: key)))
                }
                _ = try await EmailDelivery(app.services).run(workspaceID: seeded.workspace.id, owner: RecordID.make())
                try await app.test { client in
                    let jar = try await RecordPagesTests.signIn(client)
                    let page = try await jar.get(client, "/contacts/\(mahsa.id)")
                    #expect(page.status == .ok)
                    #expect(page.text.contains("emails-panel"))
                    #expect(page.text.contains("Spring news"))
                    #expect(page.text.contains("Summer news"))
                    #expect(page.text.contains(">Sent<"))
                    #expect(page.text.contains(">Waiting<"))
                    #expect(page.text.contains("Minimum gap"))
                    #expect(page.text.contains("In the last 7 days: 1 marketing, 0 transactional."))
                    #expect(page.text.contains("Next marketing email from"))
                    let other = try await jar.get(client, "/contacts/\(lars.id)")
                    #expect(other.text.contains("Autumn news"))
                    #expect(other.text.contains(">Not sent<"))
                    #expect(other.text.contains("No marketing email: No email consent."))
                    // in Persian
                    _ = try await AccountService(app.services).updateProfile(
                        of: owner, name: nil, language: .fa, expectedVersion: nil)
                    let persian = try await jar.get(client, "/contacts/\(mahsa.id)")
                    #expect(persian.text.contains("ایمیل‌ها"))
                    #expect(persian.text.contains("کمترین فاصله"))
                }
            }
        }
    }
}

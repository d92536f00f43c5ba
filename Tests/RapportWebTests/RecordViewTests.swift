import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Record page and timeline")
struct RecordViewTests {
    static func contact(_ app: TestApp, _ seeded: Seeded, _ fields: [String: JSONValue]) async throws -> Record {
        try await RecordService(app.services, schema: .contacts).create(
            .system(seeded.workspace.id), fields: fields, actor: Actor(.user, id: seeded.owner.id))
    }

    @Test(
        "a record page links addresses and numbers, names country and language, and says what was just done",
        arguments: Backend.allCases)
    func linksAndMessages(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let anna = try await Self.contact(
                app, seeded,
                [
                    "first_name": .string("Anna"), "email": .string("anna@nordlys.dk"), "country": .string("DK"),
                    "language": .string("da"),
                    "phones": .array([.object(["type": .string("mobile"), "number": .string("+45 20 30 40 50")])]),
                ])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/contacts/\(anna.id)")
                #expect(page.text.contains(#"href="mailto:anna@nordlys.dk""#))
                #expect(page.text.contains(#"href="tel:+4520304050""#))
                #expect(page.text.contains("+45 20 30 40 50 (mobile)"))
                // a number reads left to right whatever the page's direction (with its type after it)
                #expect(page.text.contains(#"<bdi dir="ltr"><a href="tel:+4520304050">+45 20 30 40 50 (mobile)</a></bdi>"#))
                #expect(page.text.contains("Denmark"))
                #expect(page.text.contains("Danish"))
                // when the record is saved, the next page says so, once
                let form = try await jar.get(client, "/contacts/\(anna.id)/edit")
                let saved = try await jar.post(
                    client, "/contacts/\(anna.id)",
                    form: ["first_name": "Anne", "version": "1", "csrf_token": form.csrfToken ?? ""])
                #expect(saved.status == .seeOther)
                let after = try await jar.get(client, "/contacts/\(anna.id)")
                #expect(after.text.contains("Changes saved."))
                let reload = try await jar.get(client, "/contacts/\(anna.id)")
                #expect(!reload.text.contains("Changes saved."))
            }
        }
    }

    @Test(
        "the timeline says who did what and when, shows one kind of entry, and pages to older ones",
        arguments: Backend.allCases)
    func timeline(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let service = RecordService(app.services, schema: .contacts)
            let lars = try await Self.contact(
                app, seeded, ["first_name": .string("Lars"), "lifecycle_stage": .string("lead")])
            for day in 1...55 {
                _ = try await service.addActivity(
                    .system(seeded.workspace.id), id: lars.id,
                    draft: ActivityDraft(
                        type: "note", body: "note \(day)",
                        occurredAt: String(format: "2026-01-%02dT09:00:00Z", day % 28 + 1),
                        durationMinutes: nil),
                    actor: Actor(.user, id: seeded.owner.id))
            }
            _ = try await service.update(
                .system(seeded.workspace.id), id: lars.id, patch: ["lifecycle_stage": .string("customer")],
                expectedVersion: nil, actor: Actor(.user, id: seeded.owner.id))
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/contacts/\(lars.id)")
                // who and when, values as a person reads them
                #expect(page.text.contains("Owner of Acme"))
                #expect(page.text.contains("just now"))
                #expect(page.text.contains("Lifecycle stage: Lead → Customer"))
                #expect(!page.text.contains("lead → customer"))
                // paging: 50 entries, then the older ones
                let entries = page.text.matches(of: #/<li class="event /#).count
                #expect(entries == 50)
                let older = try #require(page.link(rel: "next"))
                let second = try await jar.get(client, older)
                // 58 entries in all: 55 notes, created, updated and the stage's change
                #expect(second.text.matches(of: #/<li class="event /#).count == 58 - 50)
                // one kind of entry
                let changes = try await jar.get(client, "/contacts/\(lars.id)?timeline=changes")
                #expect(!changes.text.contains("event-note"))
                #expect(changes.text.contains("event-lifecycle_changed"))
                // an activity logged with its own time
                let logged = try await jar.post(
                    client, "/contacts/\(lars.id)/activities",
                    form: [
                        "type": "call", "body": "Called back", "occurred_at": "2025-06-01T14:30",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(logged.status == .seeOther)
                let calls = try await TimelineService(app.services).page(
                    .system(seeded.workspace.id), of: .contacts, id: lars.id, types: ["call"], limit: 5, after: nil)
                #expect(calls.items.first.map { Timestamp.rfc3339($0.occurredAt) } == "2025-06-01T14:30:00.000Z")
                #expect(try await jar.get(client, "/contacts/\(lars.id)").text.contains("Activity logged."))
            }
        }
    }

    @Test("owners see a record's history from the audit log; members do not", arguments: Backend.allCases)
    func history(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let record = try await Self.contact(
                app, seeded, ["first_name": .string("Ida"), "job_title": .string("CTO")])
            _ = try await RecordService(app.services, schema: .contacts).update(
                .system(seeded.workspace.id), id: record.id, patch: ["job_title": .string("CEO")],
                expectedVersion: nil, actor: Actor(.user, id: seeded.owner.id))
            try await app.test { client in
                let owner = try await RecordPagesTests.signIn(client)
                let page = try await owner.get(client, "/contacts/\(record.id)")
                #expect(page.text.contains(#"class="card history""#))
                #expect(page.text.contains("Job title: CTO → CEO"))
                let member = try await RecordPagesTests.signIn(client, email: "m@acme.test")
                let seen = try await member.get(client, "/contacts/\(record.id)")
                #expect(seen.status == .ok)
                #expect(!seen.text.contains(#"class="card history""#))
            }
        }
    }

    @Test(
        "a field edited in place is saved with its version; a bad value or a stale page is refused in place",
        arguments: Backend.allCases)
    func inlineEditing(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let record = try await Self.contact(
                app, seeded,
                ["first_name": .string("Sofie"), "job_title": .string("CTO"), "lifecycle_stage": .string("lead")])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/contacts/\(record.id)")
                #expect(
                    page.text.contains(
                        #"data-inline-field="job_title" data-inline-value="CTO" data-inline-type="text""#))
                #expect(page.text.contains(#"data-inline-field="lifecycle_stage""#))
                #expect(!page.text.contains(#"data-inline-field="phones""#))
                let token = page.csrfToken ?? ""
                func post(_ form: [String: String]) async throws -> (TestResponse, [String: Any]) {
                    let response = try await jar.post(
                        client, "/contacts/\(record.id)/inline", form: form.merging(["csrf_token": token]) { a, _ in a }
                    )
                    return (response, response.json)
                }
                let (saved, answer) = try await post(["field": "job_title", "value": "CEO", "version": "1"])
                #expect(saved.status == .ok)
                #expect(answer["text"] as? String == "CEO")
                #expect(answer["version"] as? Int == 2)
                let (stage, staged) = try await post(["field": "lifecycle_stage", "value": "customer", "version": "2"])
                #expect(stage.status == .ok)
                #expect(staged["text"] as? String == "Customer")
                let (bad, refused) = try await post(["field": "email", "value": "not an address", "version": "3"])
                #expect(bad.status == .unprocessableContent)
                #expect((refused["error"] as? String)?.contains("valid email") == true)
                let (stale, _) = try await post(["field": "job_title", "value": "CFO", "version": "1"])
                #expect(stale.status == .unprocessableContent)
                let (whole, _) = try await post(["field": "phones", "value": "+45 1", "version": "3"])
                #expect(whole.status == .unprocessableContent)
                let stored = try await RecordService(app.services, schema: .contacts).get(
                    .system(seeded.workspace.id), id: record.id)
                #expect(stored.string("job_title") == "CEO")
                #expect(stored.string("email") == nil)
                #expect(stored.version == 3)
            }
        }
    }

    @Test(
        "the form suggests countries and languages by name in the viewer's language, and time zones",
        arguments: Backend.allCases)
    func suggestions(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "fa@acme.test", role: .member, language: .fa)
            try await app.test { client in
                let english = try await RecordPagesTests.signIn(client)
                let form = try await english.get(client, "/contacts/new")
                #expect(form.text.contains(#"name="country" value="" list="suggest-country""#))
                #expect(form.text.contains(#"<option value="DK" label="Denmark">"#))
                #expect(form.text.contains(#"<option value="da" label="Danish">"#))
                #expect(form.text.contains(#"<option value="Europe/Kyiv""#))
                #expect(!form.text.contains(#"name="first_name" value="" list="#))
                let persian = try await RecordPagesTests.signIn(client, email: "fa@acme.test")
                let farsi = try await persian.get(client, "/contacts/new")
                #expect(farsi.text.contains(#"<option value="DK" label="دانمارک">"#))
            }
        }
    }
}

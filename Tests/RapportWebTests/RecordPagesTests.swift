import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Contacts and companies pages")
struct RecordPagesTests {
    static func signIn(_ client: any TestClientProtocol, email: String = "owner@acme.test") async throws -> CookieJar {
        try await WebShellTests.signIn(client, email: email).0
    }

    static func create(_ app: TestApp, _ seeded: Seeded, contact fields: [String: JSONValue]) async throws -> Record {
        try await RecordService(app.services, schema: .contacts).create(
            .system(seeded.workspace.id), fields: fields, actor: Actor(.user, id: seeded.owner.id))
    }

    @Test("creating a contact through the form shows inline errors, then the 360° page", arguments: Backend.allCases)
    func createThroughForm(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await Self.signIn(client)
                var page = try await jar.get(client, "/contacts/new")
                #expect(page.status == .ok)
                let bad = try await jar.post(
                    client, "/contacts",
                    form: [
                        "first_name": "Maryam", "email": "not an email", "country": "Persia",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("field-error"))
                #expect(bad.text.contains("not a valid email address"))
                #expect(bad.text.contains(#"value="Maryam""#))
                page = try await jar.get(client, "/contacts/new")
                let good = try await jar.post(
                    client, "/contacts",
                    form: [
                        "first_name": "Maryam", "last_name": "Rezaei", "email": "maryam@example.ir", "country": "ir",
                        "tags": "vip, tehran", "phones": "work: +98 21 1234 5678", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(good.status == .seeOther)
                let location = try #require(good.headers[.location])
                let show = try await jar.get(client, location)
                #expect(show.text.contains("Maryam Rezaei"))
                #expect(show.text.contains("+98 21 1234 5678"))
                let stored = try await RecordService(app.services, schema: .contacts).repository.list(
                    .all(seeded.workspace.id), query: ListQuery(), limit: 10, after: nil)
                #expect(stored.records.first?.strings("tags") == ["vip", "tehran"])
                #expect(stored.records.first?.string("country") == "IR")
            }
        }
    }

    @Test(
        "a call logged from the composer appears on the timeline; a bad one shows an error", arguments: Backend.allCases
    )
    func composer(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let contact = try await Self.create(app, seeded, contact: ["first_name": .string("Taras")])
            try await app.test { client in
                let jar = try await Self.signIn(client)
                var page = try await jar.get(client, "/contacts/\(contact.id)")
                let logged = try await jar.post(
                    client, "/contacts/\(contact.id)/activities",
                    form: [
                        "type": "call", "body": "Discussed the renewal", "duration_minutes": "25",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(logged.status == .seeOther)
                page = try await jar.get(client, "/contacts/\(contact.id)")
                #expect(page.text.contains("Discussed the renewal"))
                #expect(page.text.contains("25 min"))
                let bad = try await jar.post(
                    client, "/contacts/\(contact.id)/activities",
                    form: ["type": "note", "body": "", "csrf_token": page.csrfToken ?? ""])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("field-error"))
            }
        }
    }

    @Test("the merge screen shows both side by side and merges with the chosen values", arguments: Backend.allCases)
    func mergeScreen(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let keep = try await Self.create(
                app, seeded,
                contact: ["first_name": .string("Lars"), "email": .string("lars@a.dk"), "job_title": .string("CEO")])
            let other = try await Self.create(
                app, seeded,
                contact: [
                    "first_name": .string("Lars"), "email": .string("lars@b.dk"), "job_title": .string("Founder"),
                ])
            try await app.test { client in
                let jar = try await Self.signIn(client)
                let page = try await jar.get(client, "/contacts/\(keep.id)/merge?other=lars%40b.dk")
                #expect(page.status == .ok)
                #expect(page.text.contains("CEO"))
                #expect(page.text.contains("Founder"))
                let merged = try await jar.post(
                    client, "/contacts/\(keep.id)/merge",
                    form: ["other_id": other.id, "prefer.job_title": "other", "csrf_token": page.csrfToken ?? ""])
                #expect(merged.status == .seeOther)
                let record = try await RecordService(app.services, schema: .contacts).get(
                    .system(seeded.workspace.id), id: keep.id)
                #expect(record.string("job_title") == "Founder")
                #expect(record.strings("additional_emails") == ["lars@b.dk"])
                // the merged-away record's address leads to the record it was merged into
                let gone = try await jar.get(client, "/contacts/\(other.id)", headers: [.accept: "text/html"])
                #expect(gone.status == .seeOther)
                #expect(gone.headers[.location] == "/contacts/\(keep.id)")
                #expect(try await jar.get(client, "/contacts/\(keep.id)").text.contains("was merged into this one."))
                let never = try await jar.get(client, "/contacts/\(RecordID.make())", headers: [.accept: "text/html"])
                #expect(never.status == .notFound)
            }
        }
    }

    @Test(
        "a merged contact with two phones each saves from its form as a browser sends it (CRLF line breaks)",
        arguments: Backend.allCases)
    func mergedPhonesSaveWithCRLF(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            // given two contacts with two phones each, merged
            let seeded = try await Fixtures.workspace(app)
            func phones(_ first: String, _ second: String) -> JSONValue {
                .array([
                    .object(["type": .string("work"), "number": .string(first)]),
                    .object(["type": .string("mobile"), "number": .string(second)]),
                ])
            }
            let keep = try await Self.create(
                app, seeded,
                contact: [
                    "first_name": .string("Oksana"), "email": .string("oksana@a.ua"),
                    "phones": phones("+380 44 111 1111", "+380 67 111 1111"),
                ])
            let other = try await Self.create(
                app, seeded,
                contact: [
                    "first_name": .string("Oksana"), "email": .string("oksana@b.ua"),
                    "phones": phones("+380 44 222 2222", "+380 67 222 2222"),
                ])
            let service = RecordService(app.services, schema: .contacts)
            _ = try await service.merge(
                .system(seeded.workspace.id), id: keep.id, otherID: other.id, prefer: [:],
                actor: Actor(.user, id: seeded.owner.id))
            try await app.test { client in
                let jar = try await Self.signIn(client)
                // when the edit form is saved unchanged, its text areas' lines ending in CRLF
                let form = try await jar.get(client, "/contacts/\(keep.id)/edit")
                let shown = try #require(
                    form.text.firstMatch(of: #/<textarea name="phones"[^>]*>([^<]*)</textarea>/#)?.1)
                let typed = String(shown).replacingOccurrences(of: "\n", with: "\r\n")
                #expect(typed.contains("\r\n"))
                let version = try #require(form.text.firstMatch(of: #/name="version" value="(\d+)"/#)?.1)
                let saved = try await jar.post(
                    client, "/contacts/\(keep.id)",
                    form: [
                        "first_name": "Oksana", "email": "oksana@a.ua", "phones": typed, "version": String(version),
                        "csrf_token": form.csrfToken ?? "",
                    ])
                // then it is saved with all four phones
                #expect(saved.status == .seeOther, "\(saved.text.prefix(2000))")
                let record = try await service.get(.system(seeded.workspace.id), id: keep.id)
                guard case .array(let stored) = record["phones"] else {
                    Issue.record("no phones")
                    return
                }
                #expect(stored.count == 4)
            }
        }
    }

    @Test("lists filter, save views, and bulk-tag; bulk delete asks first", arguments: Backend.allCases)
    func listsAndBulk(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let mette = try await Self.create(
                app, seeded, contact: ["first_name": .string("Mette"), "country": .string("DK")])
            let oksana = try await Self.create(
                app, seeded, contact: ["first_name": .string("Оксана"), "country": .string("UA")])
            try await app.test { client in
                let jar = try await Self.signIn(client)
                let danish = try await jar.get(client, "/contacts?country=DK")
                #expect(danish.text.contains("Mette"))
                #expect(!danish.text.contains("Оксана"))
                let saved = try await jar.post(
                    client, "/contacts/views",
                    form: ["name": "Danes", "query": "country=DK", "csrf_token": danish.csrfToken ?? ""])
                #expect(saved.status == .seeOther)
                let list = try await jar.get(client, "/contacts")
                #expect(list.text.contains("Danes"))
                let tagged = try await jar.post(
                    client, "/contacts/bulk",
                    form: ["action": "tag", "value": "fair-2026", "ids": mette.id, "csrf_token": list.csrfToken ?? ""])
                #expect(tagged.status == .seeOther)
                let service = RecordService(app.services, schema: .contacts)
                #expect(
                    try await service.get(.system(seeded.workspace.id), id: mette.id).strings("tags") == [
                        "fair-2026"
                    ])
                let assigned = try await jar.post(
                    client, "/contacts/bulk",
                    form: [
                        "action": "owner", "owner": seeded.owner.id, "ids": mette.id,
                        "csrf_token": list.csrfToken ?? "",
                    ])
                #expect(assigned.status == .seeOther)
                #expect(
                    try await service.get(.system(seeded.workspace.id), id: mette.id).string("owner_id")
                        == seeded.owner.id)
                let ask = try await jar.post(
                    client, "/contacts/bulk",
                    form: ["action": "delete", "ids": oksana.id, "csrf_token": list.csrfToken ?? ""])
                #expect(ask.status == .ok)
                #expect(ask.text.contains(oksana.id))
                #expect(try await service.repository.find(.all(seeded.workspace.id), id: oksana.id) != nil)
                let confirmed = try await jar.post(
                    client, "/contacts/bulk",
                    form: ["action": "delete", "ids": oksana.id, "confirm": "yes", "csrf_token": ask.csrfToken ?? ""])
                #expect(confirmed.status == .seeOther)
                #expect(try await service.repository.find(.all(seeded.workspace.id), id: oksana.id) == nil)
            }
        }
    }

    @Test(
        "custom field settings: create, use on the form, delete with its values after a confirmation",
        arguments: Backend.allCases)
    func customFieldSettings(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await Self.signIn(client)
                var page = try await jar.get(client, "/settings/custom-fields")
                let bad = try await jar.post(
                    client, "/settings/custom-fields",
                    form: [
                        "object": "contacts", "key": "Shoe Size", "label": "Shoe size", "type": "number",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                let created = try await jar.post(
                    client, "/settings/custom-fields",
                    form: [
                        "object": "contacts", "key": "shoe_size", "label": "Shoe size", "type": "number",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(created.status == .seeOther)
                page = try await jar.get(client, "/contacts/new")
                #expect(page.text.contains("custom.shoe_size"))
                let contact = try await jar.post(
                    client, "/contacts",
                    form: ["first_name": "Jens", "custom.shoe_size": "45", "csrf_token": page.csrfToken ?? ""])
                #expect(contact.status == .seeOther)
                let definitions = try await CustomFieldRepository(store: app.runtime.store).all(
                    workspaceID: seeded.workspace.id)
                let field = try #require(definitions.first)
                let confirm = try await jar.get(client, "/settings/custom-fields/\(field.id)/delete")
                #expect(confirm.text.contains("Shoe size"))
                let deleted = try await jar.post(
                    client, "/settings/custom-fields/\(field.id)/delete", form: ["csrf_token": confirm.csrfToken ?? ""])
                #expect(deleted.status == .seeOther)
                let contacts = try await RecordService(app.services, schema: .contacts).repository.list(
                    .all(seeded.workspace.id), query: ListQuery(), limit: 10, after: nil)
                #expect(contacts.records.first?.custom.isEmpty == true)
            }
        }
    }

    @Test(
        "another workspace's records are 404 on every page; the Persian 360° page is right to left",
        arguments: Backend.allCases)
    func isolationAndPersian(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let contact = try await Self.create(
                app, seeded, contact: ["first_name": .string("مریم"), "last_name": .string("رضایی")])
            _ = try await Fixtures.user(app, in: seeded, email: "fa@acme.test", role: .member, language: .fa)
            try await app.test { client in
                let other = try await Self.signIn(client, email: "owner@other.test")
                for path in [
                    "/contacts/\(contact.id)", "/contacts/\(contact.id)/edit", "/contacts/\(contact.id)/merge",
                    "/contacts/\(contact.id)/delete",
                ] {
                    #expect(
                        try await other.get(client, path, headers: [.accept: "text/html"]).status == .notFound,
                        "\(path)")
                }
                let page = try await other.get(client, "/contacts")
                let forged = try await other.post(
                    client, "/contacts/\(contact.id)/delete", form: ["csrf_token": page.csrfToken ?? ""])
                #expect(forged.status == .notFound)
                #expect(
                    try await RecordService(app.services, schema: .contacts).repository.find(
                        .all(seeded.workspace.id), id: contact.id) != nil)
                let persian = try await Self.signIn(client, email: "fa@acme.test")
                let show = try await persian.get(client, "/contacts/\(contact.id)")
                #expect(show.text.contains(#"<html lang="fa" dir="rtl">"#))
                #expect(show.text.contains("مریم رضایی"))
                #expect(show.text.contains("رویدادها"))
                // a page that is not there says so in Persian too
                let missing = try await persian.get(
                    client, "/contacts/\(RecordID.make())", headers: [.accept: "text/html"])
                #expect(missing.status == .notFound)
                #expect(missing.text.contains("پیدا نشد"))
                #expect(!missing.text.contains("was not found"))
            }
        }
    }
}

@Suite("Search pages")
struct SearchPagesTests {
    @Test(
        "the search page and the suggestions find records of the signed-in workspace only", arguments: Backend.allCases)
    func search(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            _ = try await RecordPagesTests.create(
                app, seeded, contact: ["first_name": .string("Søren"), "email": .string("soren@a.dk")])
            _ = try await RecordService(app.services, schema: .contacts).create(
                .system(other.workspace.id), fields: ["first_name": .string("Sørine")],
                actor: Actor(.system, id: nil))
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/search?q=sor")
                #expect(page.text.contains("Søren"))
                #expect(!page.text.contains("Sørine"))
                let suggest = try await jar.get(client, "/search/suggest?q=sor")
                #expect(suggest.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(suggest.text.contains("\\/contacts\\/") || suggest.text.contains("/contacts/"))
                #expect(!suggest.text.contains("Sørine"))
                #expect(try await jar.get(client, "/search/suggest?q=").text == "[]")
            }
        }
    }
}

@Suite("Import wizard")
struct ImportWizardTests {
    /// A multipart upload as the wizard's form sends it: the CSRF token's hidden field, then the file.
    static func multipart(_ csv: String, token: String? = nil, boundary: String = "rapport-boundary") -> ByteBuffer {
        let field =
            token.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\($0)\r\n" } ?? ""
        return ByteBuffer(
            string:
                field
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
        )
    }

    @Test(
        "upload, check, import: nothing is written before the confirmation, and only the uploader can run it",
        arguments: Backend.allCases)
    func wizard(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let start = try await jar.get(client, "/contacts/import")
                let token = try #require(start.csrfToken)
                var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=rapport-boundary"]
                headers[.cookie] = jar.header
                let csv =
                    "First Name,E-mail Address,Favourite colour\r\nIda,ida@x.dk,blue\r\nBo,bo@x.dk,red\r\nBad,nope,green\r\n"
                // the token travels in the form, never in an address: without it, or with it only in the
                // address, the upload is refused
                #expect(!start.text.contains("csrf_token="))
                #expect(
                    start.text.contains(#"<form method="post" action="/contacts/import" enctype="multipart/form-data""#)
                )
                let forged = try await client.execute(
                    uri: "/contacts/import", method: .post, headers: headers, body: Self.multipart(csv))
                #expect(forged.status == .forbidden)
                let inAddress = try await client.execute(
                    uri: "/contacts/import?csrf_token=\(token)", method: .post, headers: headers,
                    body: Self.multipart(csv))
                #expect(inAddress.status == .forbidden)
                let preview = try await client.execute(
                    uri: "/contacts/import", method: .post, headers: headers, body: Self.multipart(csv, token: token))
                #expect(preview.status == .ok)
                #expect(preview.text.contains(#"<dd data-count="created">2</dd>"#))
                #expect(preview.text.contains(#"<dd data-count="rejected">1</dd>"#))
                #expect(preview.text.contains("Favourite colour"))
                let service = RecordService(app.services, schema: .contacts)
                #expect(
                    try await service.repository.list(
                        .all(seeded.workspace.id), query: ListQuery(), limit: 10, after: nil
                    ).records.isEmpty)
                let run = try #require(
                    preview.text.range(of: #"/contacts/import/[0-9a-f-]{36}/run"#, options: .regularExpression).map {
                        String(preview.text[$0])
                    })
                // another user of the workspace cannot run this upload
                let member = try await RecordPagesTests.signIn(client, email: "m@acme.test")
                let page = try await member.get(client, "/contacts")
                let stolen = try await member.post(
                    client, run, form: ["csrf_token": page.csrfToken ?? ""], headers: [.accept: "text/html"])
                #expect(stolen.status == .notFound)
                let started = try await jar.post(client, run, form: ["csrf_token": preview.csrfToken ?? ""])
                #expect(started.status == .seeOther)
                let progress = try #require(started.headers[.location])
                #expect(progress == String(run.dropLast("/run".count)))
                // the progress page is the uploader's only
                #expect(try await member.get(client, progress, headers: [.accept: "text/html"]).status == .notFound)
                // it reloads itself with a progress bar until the import is done, then shows the report, which
                // stays at its address
                var report = try await jar.get(client, progress)
                for _ in 0..<200 where report.text.contains("<progress") {
                    #expect(report.text.contains(#"<meta http-equiv="refresh" content="1">"#))
                    try await Task.sleep(for: .milliseconds(25))
                    report = try await jar.get(client, progress)
                }
                #expect(report.status == .ok)
                #expect(report.text.contains(#"<dd data-count="created">2</dd>"#))
                let reloaded = try await jar.get(client, progress, headers: [.accept: "text/html"])
                #expect(reloaded.status == .ok)
                #expect(reloaded.text.contains(#"<dd data-count="created">2</dd>"#))
                #expect(try await member.get(client, progress, headers: [.accept: "text/html"]).status == .notFound)
                #expect(
                    try await service.repository.list(
                        .all(seeded.workspace.id), query: ListQuery(), limit: 10, after: nil
                    ).records.count == 2)
            }
        }
    }
}

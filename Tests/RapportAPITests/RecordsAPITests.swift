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

/// Small helpers for JSON requests against the router.
extension TestClientProtocol {
    func json(
        _ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: String? = nil, headers: HTTPFields = [:]
    )
        async throws -> TestResponse
    {
        try await execute(
            uri: uri, method: method, headers: .bearer(token, headers), body: body.map { ByteBuffer(string: $0) })
    }
}

@Suite("Contacts and companies API")
struct RecordsAPITests {
    @Test("an address belongs to one contact, primary or additional, in any case", arguments: Backend.allCases)
    func emailUniqueness(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let first = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Oksana", "email": "oksana@kyiv.ua", "additional_emails": ["O.K@Mail.UA"]}"#)
                #expect(first.status == .created)
                let id = try #require(first.json["id"] as? String)
                for body in [
                    #"{"email": "o.k@mail.ua"}"#, #"{"first_name": "X", "additional_emails": ["OKSANA@kyiv.ua"]}"#,
                ] {
                    let duplicate = try await client.json(.post, "/api/v1/contacts", seeded.token, body)
                    #expect(duplicate.status == .conflict)
                    #expect(duplicate.json["existing_id"] as? String == id)
                }
                // another workspace may have the same address
                #expect(
                    try await client.json(.post, "/api/v1/contacts", other.token, #"{"email": "oksana@kyiv.ua"}"#)
                        .status == .created)
                // a second contact cannot take it by an update either, and nothing changes
                let second = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"email": "taras@kyiv.ua"}"#)
                let secondID = try #require(second.json["id"] as? String)
                let taken = try await client.json(
                    .patch, "/api/v1/contacts/\(secondID)", seeded.token, #"{"additional_emails": ["o.k@mail.ua"]}"#)
                #expect(taken.status == .conflict)
                let reread = try await client.json(.get, "/api/v1/contacts/\(secondID)", seeded.token)
                #expect(reread.json["additional_emails"] as? [String] == [])
                // once the first lets the address go, the second may have it
                _ = try await client.json(.patch, "/api/v1/contacts/\(id)", seeded.token, #"{"additional_emails": []}"#)
                #expect(
                    try await client.json(
                        .patch, "/api/v1/contacts/\(secondID)", seeded.token, #"{"additional_emails": ["o.k@mail.ua"]}"#
                    ).status == .ok)
            }
        }
    }

    @Test("a new contact joins the company of its email domain, never for free mail", arguments: Backend.allCases)
    func domainLinking(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Novo", "domain": "Novo.dk"}"#)
                let companyID = try #require(company.json["id"] as? String)
                let gmail = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Google", "domain": "gmail.com"}"#)
                #expect(gmail.status == .created)
                let linked = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"email": "lars@novo.dk"}"#)
                #expect(linked.json["company_id"] as? String == companyID)
                let free = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"email": "lars@gmail.com"}"#)
                #expect(free.json["company_id"] is NSNull)
                let people = try await client.json(.get, "/api/v1/companies/\(companyID)/contacts", seeded.token)
                #expect(
                    (people.json["data"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["lars@novo.dk"]
                )
                let duplicate = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Novo 2", "domain": "novo.dk"}"#)
                #expect(duplicate.status == .conflict)
                #expect(duplicate.json["existing_id"] as? String == companyID)
            }
        }
    }

    @Test("bad input names each field and changes nothing", arguments: Backend.allCases)
    func badInput(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                _ = try await client.json(
                    .post, "/api/v1/custom-fields", seeded.token,
                    #"{"object": "contacts", "key": "size", "label": "Size", "type": "select", "options": ["S", "M"]}"#)
                let response = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"email": "no", "country": "Denmark", "lifecycle_stage": "king", "time_zone": "Mars/Base", "birthday": "2001-02-30", "phones": "x", "custom": {"size": "XL", "nope": 1}, "colour": "red", "company_id": "01a20cd8-97e4-7292-bbc2-e883021cb3da"}"#
                )
                #expect(response.status == .unprocessableContent)
                let fields = Set(
                    (response.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [])
                #expect(
                    fields == [
                        "email", "country", "lifecycle_stage", "time_zone", "birthday", "phones", "custom.size",
                        "custom.nope", "colour",
                    ])
                let unknownCompany = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"email": "a@b.dk", "company_id": "01a20cd8-97e4-7292-bbc2-e883021cb3da"}"#)
                #expect(unknownCompany.status == .unprocessableContent)
                let list = try await client.json(.get, "/api/v1/contacts", seeded.token)
                #expect((list.json["data"] as? [Any])?.isEmpty == true)
                #expect(
                    try await client.json(.get, "/api/v1/contacts?colour=red", seeded.token).status
                        == .unprocessableContent)
                #expect(
                    try await client.json(.get, "/api/v1/contacts?country[near]=DK", seeded.token).status
                        == .unprocessableContent)
                #expect(
                    try await client.json(.get, "/api/v1/contacts?lifecycle_stage=king", seeded.token).status
                        == .unprocessableContent)
                // NUL in any query parameter is refused before it reaches the database
                let nul = try await client.json(.get, "/api/v1/contacts?first_name=a%00b", seeded.token)
                #expect(nul.status == .badRequest)
                #expect(try await client.json(.get, "/api/v1/audit?record_id=%00", seeded.token).status == .badRequest)
                #expect(try await client.json(.get, "/api/v1/audit?record_id=nope", seeded.token).status == .ok)
            }
        }
    }

    @Test(
        "a record reads back the same, byte for byte, from create, get by id and a list page",
        arguments: Backend.allCases)
    func sameBytesEverywhere(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                for field in [
                    #"{"object": "contacts", "key": "score", "label": "Score", "type": "number"}"#,
                    #"{"object": "contacts", "key": "vip", "label": "VIP", "type": "boolean"}"#,
                    #"{"object": "contacts", "key": "note", "label": "Note", "type": "text"}"#,
                    #"{"object": "companies", "key": "tier", "label": "Tier", "type": "text"}"#,
                ] {
                    #expect(
                        try await client.json(.post, "/api/v1/custom-fields", seeded.token, field).status == .created)
                }
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token,
                    #"{"name": "Novo \"Nordisk\" A/S", "domain": "novo.dk", "size": 64000, "industry": "Pharma", "tags": ["dk", "b2b"], "custom": {"tier": "ورقه"}}"#
                )
                #expect(company.status == .created)
                let bodies = [
                    #"{"first_name": "Søren \"Sø\" Kierkegaard", "last_name": "Back\\slash", "email": "soren@novo.dk", "additional_emails": ["s.k@Mail.dk"], "phones": [{"type": "work", "number": "+45 32 12 34 56"}], "job_title": "CEO / \"founder\"", "tags": ["vip", "دانمارک"], "email_consent": "subscribed", "birthday": "1813-05-05", "country": "DK", "time_zone": "Europe/Copenhagen", "language": "da", "social_profiles": {"linkedin": "https://linkedin.com/in/sk", "x": "@sk"}, "custom": {"score": 2.5, "vip": true, "note": "«quoted» \\\\ </script> \\u00e9"}}"#,
                    #"{"first_name": "مریم", "last_name": "میرزاخانی", "custom": {"score": 3}}"#,
                    #"{"email": "only@example.com"}"#,
                ]
                var created: [String] = []
                for body in bodies {
                    let response = try await client.json(.post, "/api/v1/contacts", seeded.token, body)
                    #expect(response.status == .created, "\(response.text)")
                    created.append(response.text)
                }
                // (an update, so that created_at and updated_at differ)
                let firstID = try #require(
                    (try JSONSerialization.jsonObject(with: Data(created[0].utf8)) as? [String: Any])?["id"] as? String)
                let patched = try await client.json(
                    .patch, "/api/v1/contacts/\(firstID)", seeded.token,
                    #"{"city": "København", "custom": {"vip": false}}"#)
                #expect(patched.status == .ok)
                created[0] = patched.text
                created.append(company.text)
                let list = try await client.json(.get, "/api/v1/contacts?limit=50", seeded.token).text
                let companies = try await client.json(.get, "/api/v1/companies?limit=50", seeded.token).text
                for text in created {
                    let object = try #require(
                        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                    let id = try #require(object["id"] as? String)
                    let path = object["name"] == nil ? "contacts" : "companies"
                    let read = try await client.json(.get, "/api/v1/\(path)/\(id)", seeded.token)
                    #expect(read.text == text)
                    #expect((path == "contacts" ? list : companies).contains(text))
                }
            }
        }
    }

    @Test("filters on standard and custom fields, and sorting", arguments: Backend.allCases)
    func filters(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                _ = try await client.json(
                    .post, "/api/v1/custom-fields", seeded.token,
                    #"{"object": "contacts", "key": "shoe_size", "label": "Shoe size", "type": "number"}"#)
                let people = [
                    #"{"first_name": "Mette", "country": "DK", "lifecycle_stage": "lead", "tags": ["vip"], "custom": {"shoe_size": 42}}"#,
                    #"{"first_name": "Maryam", "country": "IR", "lifecycle_stage": "lead", "tags": ["vip", "fa"], "custom": {"shoe_size": 38}}"#,
                    #"{"first_name": "Jens", "country": "DK", "lifecycle_stage": "customer", "tags": [], "custom": {"shoe_size": 45}}"#,
                    #"{"first_name": "Ole", "country": "DK", "lifecycle_stage": "lead", "tags": ["vip"], "custom": {"shoe_size": 44}}"#,
                    #"{"first_name": "Anna", "email": "anna@example.com"}"#,
                ]
                for body in people {
                    #expect(try await client.json(.post, "/api/v1/contacts", seeded.token, body).status == .created)
                }
                func names(_ query: String) async throws -> [String] {
                    let response = try await client.json(.get, "/api/v1/contacts?\(query)", seeded.token)
                    #expect(response.status == .ok, "\(query): \(response.text)")
                    return (response.json["data"] as? [[String: Any]])?.compactMap { $0["first_name"] as? String } ?? []
                }
                #expect(
                    try await names(
                        "lifecycle_stage=lead&country=DK&tags%5Bcontains%5D=vip&custom.shoe_size%5Bgte%5D=42&sort=-created_at"
                    ) == ["Ole", "Mette"])
                #expect(try await names("custom.shoe_size[lte]=42&sort=custom.shoe_size") == ["Maryam", "Mette"])
                #expect(try await names("email[empty]=false") == ["Anna"])
                #expect(try await names("first_name[contains]=MA&sort=first_name") == ["Maryam"])
                #expect(try await names("sort=first_name") == ["Anna", "Jens", "Maryam", "Mette", "Ole"])
                #expect(
                    try await names("sort=-custom.shoe_size&custom.shoe_size[empty]=false") == [
                        "Jens", "Ole", "Mette", "Maryam",
                    ])
            }
        }
    }

    @Test("paging neither skips nor repeats a record while records are added", arguments: Backend.allCases)
    func pagingIsStable(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                for index in 0..<7 {
                    _ = try await client.json(.post, "/api/v1/contacts", seeded.token, #"{"first_name": "P\#(index)"}"#)
                }
                for sort in ["-created_at", "first_name", "-first_name"] {
                    var seen: [String] = []
                    var cursor: String?
                    var added = 0
                    repeat {
                        let uri = "/api/v1/contacts?limit=2&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                        let page = try await client.json(.get, uri, seeded.token)
                        #expect(page.status == .ok)
                        seen +=
                            (page.json["data"] as? [[String: Any]])?.compactMap { $0["first_name"] as? String } ?? []
                        cursor = page.json["next_cursor"] as? String
                        // someone adds a record between pages
                        _ = try await client.json(
                            .post, "/api/v1/contacts", seeded.token, #"{"first_name": "New\#(sort)\#(added)"}"#)
                        added += 1
                    } while cursor != nil
                    let originals = seen.filter { $0.hasPrefix("P") }
                    #expect(Set(seen).count == seen.count, "\(sort): repeated \(seen)")
                    #expect(Set(originals) == Set((0..<7).map { "P\($0)" }), "\(sort): skipped \(seen)")
                }
                #expect(
                    try await client.json(.get, "/api/v1/contacts?limit=2&sort=first_name&cursor=bogus", seeded.token)
                        .status == .unprocessableContent)
            }
        }
    }

    @Test(
        "merging keeps chosen values, unites lists, moves the timeline and deletes the other",
        arguments: Backend.allCases)
    func merge(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let keep = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Ivan", "last_name": "Petrenko", "email": "ivan@a.ua", "tags": ["a"], "phones": [{"type": "work", "number": "+380 44 1"}]}"#
                )
                let other = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Ivan", "last_name": "Petrenko-Shevchenko", "email": "ivan@b.ua", "job_title": "CTO", "tags": ["b", "a"], "phones": [{"type": "mobile", "number": "+380 50 2"}]}"#
                )
                let keepID = try #require(keep.json["id"] as? String)
                let otherID = try #require(other.json["id"] as? String)
                _ = try await client.json(
                    .post, "/api/v1/contacts/\(otherID)/activities", seeded.token,
                    #"{"type": "note", "body": "met at the fair"}"#)
                let merged = try await client.json(
                    .post, "/api/v1/contacts/\(keepID)/merge", seeded.token,
                    #"{"other_id": "\#(otherID)", "prefer": {"last_name": "other"}}"#)
                #expect(merged.status == .ok, "\(merged.text)")
                #expect(merged.json["last_name"] as? String == "Petrenko-Shevchenko")
                #expect(merged.json["first_name"] as? String == "Ivan")
                #expect(merged.json["job_title"] as? String == "CTO")
                #expect(merged.json["email"] as? String == "ivan@a.ua")
                #expect(merged.json["additional_emails"] as? [String] == ["ivan@b.ua"])
                #expect(merged.json["tags"] as? [String] == ["a", "b"])
                #expect((merged.json["phones"] as? [Any])?.count == 2)
                #expect(try await client.json(.get, "/api/v1/contacts/\(otherID)", seeded.token).status == .notFound)
                let timeline = try await client.json(.get, "/api/v1/contacts/\(keepID)/timeline", seeded.token)
                let types = (timeline.json["data"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
                #expect(types.contains("merged"))
                #expect(types.contains("note"))
                #expect(types.filter { $0 == "created" }.count == 2)
                // the other's address now finds the kept contact
                let again = try await client.json(.post, "/api/v1/contacts", seeded.token, #"{"email": "IVAN@b.ua"}"#)
                #expect(again.json["existing_id"] as? String == keepID)
                let audit = try await client.json(.get, "/api/v1/audit?record_id=\(keepID)", seeded.token)
                let actions = (audit.json["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
                #expect(actions == ["merged", "created"])
                #expect(
                    try await client.json(
                        .post, "/api/v1/contacts/\(keepID)/merge", seeded.token, #"{"other_id": "\#(keepID)"}"#
                    ).status == .unprocessableContent)
            }
        }
    }

    @Test(
        "every change is audited with who, which fields, old and new; members cannot read the audit",
        arguments: Backend.allCases)
    func audit(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                let created = try await client.json(
                    .post, "/api/v1/companies", memberToken, #"{"name": "Ørsted", "size": 10}"#)
                let id = try #require(created.json["id"] as? String)
                let etag = try #require(created.headers[.eTag])
                let patched = try await client.json(
                    .patch, "/api/v1/companies/\(id)", memberToken, #"{"size": 11, "city": "Fredericia"}"#,
                    headers: [.ifMatch: etag])
                #expect(patched.status == .ok)
                #expect(patched.json["size"] as? Int == 11)
                let stale = try await client.json(
                    .patch, "/api/v1/companies/\(id)", memberToken, #"{"size": 12}"#, headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                #expect(try await client.json(.get, "/api/v1/audit?record_id=\(id)", memberToken).status == .forbidden)
                let audit = try await client.json(.get, "/api/v1/audit?record_id=\(id)", seeded.token)
                let entries = audit.json["data"] as? [[String: Any]] ?? []
                #expect(entries.count == 2)
                let update = try #require(entries.first)
                #expect(update["action"] as? String == "updated")
                #expect((update["actor"] as? [String: Any])?["id"] as? String == member.id)
                let changes = update["changes"] as? [[String: Any]] ?? []
                #expect(changes.compactMap { $0["field"] as? String } == ["size", "city"])
                #expect(changes.first?["old"] as? Int == 10)
                #expect(changes.first?["new"] as? Int == 11)
                #expect(changes.last?["old"] is NSNull)
                let deleted = try await client.json(.delete, "/api/v1/companies/\(id)", memberToken)
                #expect(deleted.status == .noContent)
                #expect(try await client.json(.get, "/api/v1/companies/\(id)", memberToken).status == .notFound)
            }
        }
    }

    @Test("another workspace's contacts and companies answer 404 to every route", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let contact = try await client.json(.post, "/api/v1/contacts", acme.token, #"{"first_name": "Secret"}"#)
                let company = try await client.json(.post, "/api/v1/companies", acme.token, #"{"name": "Secret Co"}"#)
                let contactID = try #require(contact.json["id"] as? String)
                let companyID = try #require(company.json["id"] as? String)
                let mine = try await client.json(.post, "/api/v1/contacts", other.token, #"{"first_name": "Mine"}"#)
                let mineID = try #require(mine.json["id"] as? String)
                for (method, uri, body) in [
                    (HTTPRequest.Method.get, "/api/v1/contacts/\(contactID)", nil),
                    (.patch, "/api/v1/contacts/\(contactID)", #"{"first_name": "Hacked"}"#),
                    (.delete, "/api/v1/contacts/\(contactID)", nil),
                    (.get, "/api/v1/contacts/\(contactID)/timeline", nil),
                    (.post, "/api/v1/contacts/\(contactID)/activities", #"{"type": "note", "body": "x"}"#),
                    (.post, "/api/v1/contacts/\(mineID)/merge", #"{"other_id": "\#(contactID)"}"#),
                    (.get, "/api/v1/companies/\(companyID)", nil),
                    (.patch, "/api/v1/companies/\(companyID)", #"{"name": "Hacked"}"#),
                    (.get, "/api/v1/companies/\(companyID)/contacts", nil),
                    (.get, "/api/v1/companies/\(companyID)/timeline", nil),
                    (.delete, "/api/v1/companies/\(companyID)", nil),
                ] {
                    let response = try await client.json(method, uri, other.token, body)
                    #expect(response.status == .notFound, "\(method) \(uri)")
                }
                let list = try await client.json(.get, "/api/v1/contacts", other.token)
                #expect(!list.text.contains("Secret"))
                #expect(
                    try await client.json(
                        .post, "/api/v1/contacts", other.token, #"{"first_name": "X", "company_id": "\#(companyID)"}"#
                    ).status == .unprocessableContent)
                let stillThere = try await client.json(.get, "/api/v1/contacts/\(contactID)", acme.token)
                #expect(stillThere.json["first_name"] as? String == "Secret")
                let audit = try await client.json(.get, "/api/v1/audit?record_id=\(contactID)", other.token)
                #expect((audit.json["data"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(
        "a company's timeline shows its own and its people's events; custom fields go with their values",
        arguments: Backend.allCases)
    func companyTimelineAndCustomFields(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let field = try await client.json(
                    .post, "/api/v1/custom-fields", seeded.token,
                    #"{"object": "companies", "key": "tier", "label": "Tier", "type": "select", "options": ["gold", "silver"]}"#
                )
                #expect(field.status == .created)
                let fieldID = try #require(field.json["id"] as? String)
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token,
                    #"{"name": "Maersk", "domain": "maersk.com", "custom": {"tier": "gold"}}"#)
                let companyID = try #require(company.json["id"] as? String)
                let person = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"email": "soren@maersk.com"}"#)
                let personID = try #require(person.json["id"] as? String)
                _ = try await client.json(
                    .post, "/api/v1/contacts/\(personID)/activities", seeded.token,
                    #"{"type": "meeting", "body": "kick-off", "duration_minutes": 30, "occurred_at": "2026-01-05T10:00:00Z"}"#
                )
                _ = try await client.json(
                    .post, "/api/v1/companies/\(companyID)/activities", seeded.token,
                    #"{"type": "call", "body": "pricing"}"#)
                let timeline = try await client.json(
                    .get, "/api/v1/companies/\(companyID)/timeline?type=meeting,call", seeded.token)
                let events = timeline.json["data"] as? [[String: Any]] ?? []
                #expect(events.compactMap { $0["type"] as? String } == ["call", "meeting"])
                #expect((events.last?["data"] as? [String: Any])?["duration_minutes"] as? Int == 30)
                #expect(
                    try await client.json(
                        .post, "/api/v1/contacts/\(personID)/activities", seeded.token,
                        #"{"type": "note", "body": "x", "duration_minutes": 5}"#
                    ).status == .unprocessableContent)
                // a member may not change custom fields
                let (_, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
                #expect(
                    try await client.json(.delete, "/api/v1/custom-fields/\(fieldID)", memberToken).status == .forbidden
                )
                #expect(
                    try await client.json(.delete, "/api/v1/custom-fields/\(fieldID)", seeded.token).status
                        == .noContent)
                let after = try await client.json(.get, "/api/v1/companies/\(companyID)", seeded.token)
                #expect((after.json["custom"] as? [String: Any])?.isEmpty == true)
                #expect(
                    try await client.json(.get, "/api/v1/companies?custom.tier=gold", seeded.token).status
                        == .unprocessableContent)
            }
        }
    }
}

@Suite("Company merge")
struct CompanyMergeTests {
    @Test("merging companies moves the other's people and timeline and frees its domain", arguments: Backend.allCases)
    func mergeCompanies(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let keep = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Vestas", "tags": ["wind"]}"#)
                let other = try await client.json(
                    .post, "/api/v1/companies", seeded.token,
                    #"{"name": "Vestas Wind Systems", "domain": "vestas.com", "industry": "Energy", "tags": ["energy"]}"#
                )
                let keepID = try #require(keep.json["id"] as? String)
                let otherID = try #require(other.json["id"] as? String)
                let person = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"email": "anna@vestas.com"}"#)
                #expect(person.json["company_id"] as? String == otherID)
                _ = try await client.json(
                    .post, "/api/v1/companies/\(otherID)/activities", seeded.token,
                    #"{"type": "call", "body": "intro"}"#)
                let merged = try await client.json(
                    .post, "/api/v1/companies/\(keepID)/merge", seeded.token, #"{"other_id": "\#(otherID)"}"#)
                #expect(merged.status == .ok)
                #expect(merged.json["name"] as? String == "Vestas")
                #expect(merged.json["domain"] as? String == "vestas.com")
                #expect(merged.json["industry"] as? String == "Energy")
                #expect(merged.json["tags"] as? [String] == ["wind", "energy"])
                let people = try await client.json(.get, "/api/v1/companies/\(keepID)/contacts", seeded.token)
                #expect(
                    (people.json["data"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == [
                        "anna@vestas.com"
                    ])
                let timeline = try await client.json(
                    .get, "/api/v1/companies/\(keepID)/timeline?type=call,merged", seeded.token)
                #expect(
                    (timeline.json["data"] as? [[String: Any]])?.compactMap { $0["type"] as? String } == [
                        "merged", "call",
                    ])
                #expect(try await client.json(.get, "/api/v1/companies/\(otherID)", seeded.token).status == .notFound)
            }
        }
    }
}

@Suite("Contacts edge cases")
struct RecordEdgeCaseTests {
    @Test("odd but possible input is answered, never crashes, and nothing half-changes", arguments: Backend.allCases)
    func edgeCases(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // dates in other digits are refused, in a body and in a filter
                #expect(
                    try await client.json(
                        .post, "/api/v1/contacts", seeded.token, #"{"first_name": "A", "birthday": "٢٠٢٤-٠١-٠١"}"#
                    ).status == .unprocessableContent)
                #expect(
                    try await client.json(.get, "/api/v1/contacts?birthday=2024-01-%D9%A0%D9%A1", seeded.token).status
                        == .unprocessableContent)
                // the primary address listed again as additional is kept once
                let both = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"email": "a@x.dk", "additional_emails": ["A@x.dk", "b@x.dk"]}"#)
                #expect(both.status == .created)
                #expect(both.json["additional_emails"] as? [String] == ["b@x.dk"])
                let id = try #require(both.json["id"] as? String)
                // social profiles are merged key by key; null removes a key
                _ = try await client.json(
                    .patch, "/api/v1/contacts/\(id)", seeded.token,
                    #"{"social_profiles": {"linkedin": "https://l.example/a", "x": "@a"}}"#)
                let profiles = try await client.json(
                    .patch, "/api/v1/contacts/\(id)", seeded.token,
                    #"{"social_profiles": {"x": null, "mastodon": "@a@m.example"}}"#)
                #expect(
                    profiles.json["social_profiles"] as? [String: String] == [
                        "linkedin": "https://l.example/a", "mastodon": "@a@m.example",
                    ])
                // a quote with a combining mark after it is refused (it would slip past HTML escaping)
                #expect(
                    try await client.json(
                        .patch, "/api/v1/contacts/\(id)", seeded.token, "{\"first_name\": \"x\\\"\\u0301 checked\"}"
                    ).status == .unprocessableContent)
                // a cursor edited to another type is refused, not a server error
                for index in 0..<3 {
                    _ = try await client.json(.post, "/api/v1/contacts", seeded.token, #"{"first_name": "N\#(index)"}"#)
                }
                let page = try await client.json(.get, "/api/v1/contacts?limit=1&sort=first_name", seeded.token)
                let cursor = try #require(page.json["next_cursor"] as? String)
                let forged = Data(#"{"i":"\#(id)","k":5,"s":"first_name"}"#.utf8).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
                #expect(
                    try await client.json(
                        .get, "/api/v1/contacts?limit=1&sort=first_name&cursor=\(cursor)", seeded.token
                    ).status == .ok)
                #expect(
                    try await client.json(
                        .get, "/api/v1/contacts?limit=1&sort=first_name&cursor=\(forged)", seeded.token
                    ).status == .unprocessableContent)
                // merging keeps an unsubscribe even when the kept contact's consent is unknown
                let unsubscribed = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"email": "c@x.dk", "email_consent": "unsubscribed"}"#)
                let otherID = try #require(unsubscribed.json["id"] as? String)
                let merged = try await client.json(
                    .post, "/api/v1/contacts/\(id)/merge", seeded.token, #"{"other_id": "\#(otherID)"}"#)
                #expect(merged.json["email_consent"] as? String == "unsubscribed")
                #expect(
                    try await client.json(
                        .post, "/api/v1/contacts/\(id)/merge", seeded.token,
                        #"{"other_id": "\#(otherID)", "prefer": {"custom.nope": "this"}}"#
                    ).status == .unprocessableContent)
            }
        }
    }
}

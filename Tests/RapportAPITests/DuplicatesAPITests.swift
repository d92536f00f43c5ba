import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("Suggested duplicates API")
struct DuplicatesAPITests {
    /// Creates a record and answers its id.
    static func create(_ client: any TestClientProtocol, _ object: String, _ token: String, _ body: String)
        async throws -> String
    {
        let response = try await client.json(.post, "/api/v1/\(object)", token, body)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response.json["id"] as? String)
    }

    /// A record's suggestions: the other records' ids and each one's reason messages.
    static func suggestions(_ client: any TestClientProtocol, _ object: String, _ id: String, _ token: String)
        async throws -> [String: [String]]
    {
        let response = try await client.json(.get, "/api/v1/\(object)/\(id)/duplicates", token)
        #expect(response.status == .ok, "\(response.text)")
        var found: [String: [String]] = [:]
        for item in response.json["data"] as? [[String: Any]] ?? [] {
            let record = item["record"] as? [String: Any] ?? [:]
            let reasons = (item["reasons"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            found[record["id"] as? String ?? ""] = reasons
        }
        return found
    }

    /// Every pair of the workspace's list, as sorted id pairs with their reasons, read a page at a time.
    static func pairs(_ client: any TestClientProtocol, _ object: String, _ token: String, limit: Int = 50)
        async throws -> [(ids: [String], reasons: [String])]
    {
        var found: [(ids: [String], reasons: [String])] = []
        var cursor: String?
        repeat {
            let uri = "/api/v1/\(object)/duplicates?limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await client.json(.get, uri, token)
            #expect(response.status == .ok, "\(response.text)")
            for item in response.json["data"] as? [[String: Any]] ?? [] {
                let ids = (item["records"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                let reasons = (item["reasons"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
                found.append((ids.sorted(), reasons))
            }
            cursor = response.json["next_cursor"] as? String
        } while cursor != nil
        return found
    }

    @Test(
        "contacts are suggested by a shared address, phone, or similar name at the same company",
        arguments: Backend.allCases)
    func contactRules(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let token = seeded.token
            try await app.test { client in
                // given contacts that are written differently but are the same people
                let acme = try await Self.create(
                    client, "companies", token, #"{"name": "Acme", "domain": "acme.test"}"#)
                let other = try await Self.create(client, "companies", token, #"{"name": "Globex"}"#)
                let anna = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Anna", "last_name": "Berg", "email": "anna.berg@gmail.com", "company_id": "\#(acme)"}"#
                )
                let annaAgain = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "A.", "last_name": "Berg", "email": "annaberg+crm@gmail.com"}"#)
                let bo = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Bo", "email": "bo@acme.test", "phones": [{"type": "work", "number": "+45 32 12 34 56"}]}"#
                )
                let boAgain = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Bo", "last_name": "Lund", "phones": [{"type": "mobile", "number": "3212 3456"}]}"#
                )
                let soren = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Søren", "last_name": "Kierkegaard", "company_id": "\#(acme)"}"#)
                let sorenAgain = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "soren", "last_name": "KIERKEGAARD", "company_id": "\#(acme)"}"#)
                let sorenElsewhere = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Søren", "last_name": "Kierkegaard", "company_id": "\#(other)"}"#)
                // then each record's page suggests the other, saying why
                #expect(
                    try await Self.suggestions(client, "contacts", anna, token) == [
                        annaAgain: ["Same email: annaberg+crm@gmail.com"]
                    ])
                #expect(
                    try await Self.suggestions(client, "contacts", boAgain, token) == [
                        bo: ["Same phone: +45 32 12 34 56"]
                    ])
                #expect(
                    try await Self.suggestions(client, "contacts", soren, token) == [
                        sorenAgain: ["Similar name at Acme"]
                    ])
                // a namesake at another company is not suggested
                #expect(try await Self.suggestions(client, "contacts", sorenElsewhere, token).isEmpty)
                // and the workspace's list has each pair once
                let pairs = try await Self.pairs(client, "contacts", token, limit: 1)
                #expect(pairs.count == 3)
                #expect(
                    Set(pairs.map(\.ids))
                        == Set([[anna, annaAgain].sorted(), [bo, boAgain].sorted(), [soren, sorenAgain].sorted()]))
                #expect(pairs.first { $0.ids.contains(anna) }?.reasons == ["Same email: anna.berg@gmail.com"])
            }
        }
    }

    @Test(
        "companies are suggested by domain and by name without its legal form; products have none",
        arguments: Backend.allCases)
    func companyRules(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let token = seeded.token
            try await app.test { client in
                let nordlys = try await Self.create(
                    client, "companies", token, #"{"name": "Nordlys ApS", "domain": "nordlys.dk"}"#)
                let nordlysAgain = try await Self.create(
                    client, "companies", token, #"{"name": "NORDLYS", "domain": "www.nordlys.dk"}"#)
                let kyiv = try await Self.create(client, "companies", token, #"{"name": "ТОВ Київстар"}"#)
                let kyivAgain = try await Self.create(client, "companies", token, #"{"name": "Київстар"}"#)
                let found = try await Self.suggestions(client, "companies", nordlys, token)
                #expect(found == [nordlysAgain: ["Same domain: www.nordlys.dk", "Similar name: NORDLYS"]])
                #expect(
                    try await Self.suggestions(client, "companies", kyivAgain, token) == [
                        kyiv: ["Similar name: ТОВ Київстар"]
                    ])
                let pairs = try await Self.pairs(client, "companies", token)
                #expect(pairs.count == 2)
                #expect(
                    pairs.first { $0.ids.contains(nordlys) }?.reasons == [
                        "Same domain: nordlys.dk", "Similar name: Nordlys ApS",
                    ])
                let product = try await Self.create(client, "products", token, #"{"name": "Mug"}"#)
                #expect(
                    try await client.json(.get, "/api/v1/products/\(product)/duplicates", token).status == .notFound)
            }
        }
    }

    @Test("a pair marked as not a duplicate is not suggested again, on either list", arguments: Backend.allCases)
    func dismiss(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let token = seeded.token
            try await app.test { client in
                let one = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Ole", "email": "ole@x.test", "phones": [{"type": "work", "number": "+45 11 22 33 44"}]}"#
                )
                let two = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Ole", "phones": [{"type": "work", "number": "11223344"}]}"#)
                let three = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Ola", "phones": [{"type": "home", "number": "11 22 33 44"}]}"#)
                #expect(
                    try await Self.suggestions(client, "contacts", one, token).keys.sorted() == [two, three].sorted())
                // when the first two are marked as not duplicates (twice: nothing changes the second time)
                let dismissed = try await client.json(.post, "/api/v1/contacts/\(two)/duplicates/\(one)/dismiss", token)
                #expect(dismissed.status == .noContent)
                #expect(
                    try await client.json(.post, "/api/v1/contacts/\(one)/duplicates/\(two)/dismiss", token).status
                        == .noContent)
                // then neither page suggests them again, and the third is still suggested with both
                #expect(try await Self.suggestions(client, "contacts", one, token).keys.sorted() == [three])
                #expect(try await Self.suggestions(client, "contacts", two, token).keys.sorted() == [three])
                let pairs = try await Self.pairs(client, "contacts", token)
                #expect(Set(pairs.map(\.ids)) == Set([[one, three].sorted(), [two, three].sorted()]))
                // bad input changes nothing and says why
                let itself = try await client.json(.post, "/api/v1/contacts/\(one)/duplicates/\(one)/dismiss", token)
                #expect(itself.status == .unprocessableContent)
                #expect(itself.headers[.contentType] == "application/problem+json")
                let unknown = try await client.json(
                    .post, "/api/v1/contacts/\(one)/duplicates/\(RecordID.make())/dismiss", token)
                #expect(unknown.status == .notFound)
                #expect(unknown.headers[.contentType] == "application/problem+json")
                let badCursor = try await client.json(.get, "/api/v1/contacts/duplicates?cursor=nope", token)
                #expect(badCursor.status == .unprocessableContent)
                #expect((badCursor.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "cursor")
                let badLimit = try await client.json(.get, "/api/v1/contacts/\(one)/duplicates?limit=0", token)
                #expect(badLimit.status == .unprocessableContent)
            }
        }
    }

    @Test(
        "after a merge the pair is gone, and merging companies brings their people's namesakes together",
        arguments: Backend.allCases)
    func merge(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let token = seeded.token
            try await app.test { client in
                let keep = try await Self.create(
                    client, "contacts", token, #"{"first_name": "Iben", "email": "iben@x.test"}"#)
                let twin = try await Self.create(
                    client, "contacts", token, #"{"first_name": "Iben", "email": "Iben+1@x.test"}"#)
                let third = try await Self.create(
                    client, "contacts", token, #"{"first_name": "Iben", "email": "iben+2@x.test"}"#)
                // the twin was marked as not a duplicate of the third, then merged into the first
                _ = try await client.json(.post, "/api/v1/contacts/\(twin)/duplicates/\(third)/dismiss", token)
                let merged = try await client.json(
                    .post, "/api/v1/contacts/\(keep)/merge", token, #"{"other_id": "\#(twin)"}"#)
                #expect(merged.status == .ok, "\(merged.text)")
                #expect(try await Self.suggestions(client, "contacts", keep, token).keys.sorted() == [third])
                #expect(try await Self.pairs(client, "contacts", token).map(\.ids) == [[keep, third].sorted()])
                // two companies with a namesake each: once merged, the namesakes share a company
                let acme = try await Self.create(client, "companies", token, #"{"name": "Acme"}"#)
                let acmeOld = try await Self.create(client, "companies", token, #"{"name": "Acme (old)"}"#)
                let nina = try await Self.create(
                    client, "contacts", token, #"{"first_name": "Nina", "last_name": "Holm", "company_id": "\#(acme)"}"#
                )
                let ninaOld = try await Self.create(
                    client, "contacts", token,
                    #"{"first_name": "Nina", "last_name": "Holm", "company_id": "\#(acmeOld)"}"#)
                #expect(try await Self.suggestions(client, "contacts", nina, token).isEmpty)
                _ = try await client.json(
                    .post, "/api/v1/companies/\(acme)/merge", token, #"{"other_id": "\#(acmeOld)"}"#)
                #expect(
                    try await Self.suggestions(client, "contacts", nina, token) == [ninaOld: ["Similar name at Acme"]])
                // and deleting one of them leaves nothing to suggest
                #expect(try await client.json(.delete, "/api/v1/contacts/\(ninaOld)", token).status == .noContent)
                #expect(try await Self.suggestions(client, "contacts", nina, token).isEmpty)
            }
        }
    }

    @Test("another workspace's duplicates can be neither seen nor dismissed", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let intruder = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let one = try await Self.create(
                    client, "contacts", seeded.token, #"{"first_name": "Mia", "email": "mia@x.test"}"#)
                let two = try await Self.create(
                    client, "contacts", seeded.token, #"{"first_name": "Mia", "email": "MIA+x@x.test"}"#)
                // the other workspace has a contact with the same address
                _ = try await Self.create(
                    client, "contacts", intruder.token, #"{"first_name": "Mia", "email": "mia@x.test"}"#)
                #expect(try await Self.suggestions(client, "contacts", one, seeded.token).keys.sorted() == [two])
                #expect(
                    try await client.json(.get, "/api/v1/contacts/\(one)/duplicates", intruder.token).status
                        == .notFound)
                #expect(try await Self.pairs(client, "contacts", intruder.token).isEmpty)
                let refused = try await client.json(
                    .post, "/api/v1/contacts/\(one)/duplicates/\(two)/dismiss", intruder.token)
                #expect(refused.status == .notFound)
                #expect(try await Self.suggestions(client, "contacts", one, seeded.token).keys.sorted() == [two])
            }
        }
    }
}

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

@Suite("Search")
struct SearchAPITests {
    static func names(_ response: TestResponse) -> [String] {
        (response.json["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
    }

    @Test("every word must start a word of the record, in any script, folded", arguments: Backend.allCases)
    func matching(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Nordlys ApS", "domain": "nordlys.dk"}"#)
                let companyID = try #require(company.json["id"] as? String)
                for body in [
                    #"{"first_name": "John", "last_name": "Smith", "email": "john@smith.example", "phones": [{"number": "+45 32 12 34 56"}]}"#,
                    #"{"first_name": "José", "last_name": "García", "tags": ["vip"]}"#,
                    #"{"first_name": "Søren", "last_name": "Kierkegaard", "company_id": "\#(companyID)"}"#,
                    #"{"first_name": "علي", "last_name": "كريمي"}"#,
                    #"{"first_name": "می‌خواهم", "last_name": "تست"}"#,
                    #"{"first_name": "Оксана", "last_name": "Шевченко"}"#,
                    #"{"first_name": "Siobhán", "last_name": "O'Brien", "email": "o'brien+news@mail.example"}"#,
                ] {
                    #expect(try await client.json(.post, "/api/v1/contacts", seeded.token, body).status == .created)
                }
                _ = try await client.json(
                    .post, "/api/v1/contacts", other.token, #"{"first_name": "John", "last_name": "Other"}"#)
                func search(_ query: String) async throws -> [String] {
                    let encoded = QueryItems.encode(query)
                    let response = try await client.json(.get, "/api/v1/search?q=\(encoded)", seeded.token)
                    #expect(response.status == .ok, "\(query): \(response.text)")
                    return Self.names(response)
                }
                #expect(try await search("jo sm") == ["John Smith"])
                #expect(try await search("jose") == ["José García"])
                #expect(try await search("soren") == ["Søren Kierkegaard"])
                #expect(try await search("nordlys") == ["Nordlys ApS", "Søren Kierkegaard"])
                #expect(try await search("+45 32 12") == ["John Smith"])
                #expect(try await search("john@smith.example") == ["John Smith"])
                #expect(try await search("علی کریمی") == ["علي كريمي"])
                #expect(try await search("میخواهم") == ["می‌خواهم تست"])
                #expect(try await search("окс") == ["Оксана Шевченко"])
                #expect(try await search("vip") == ["José García"])
                #expect(try await search("john other").isEmpty)
                // addresses keep their punctuation; quotes and control characters in a query are only text
                #expect(try await search("o'brien+news@mail.example") == ["Siobhán O'Brien"])
                #expect(try await search("o'brien+n") == ["Siobhán O'Brien"])
                #expect(try await search("siobhan o'bri") == ["Siobhán O'Brien"])
                #expect(try await search("\"o'brien") == ["Siobhán O'Brien"])
                #expect(try await search("\"o\"@mail").isEmpty)
                #expect(try await search("o\u{1}brien@mail.example").isEmpty)
                #expect(try await client.json(.get, "/api/v1/search?q=", seeded.token).status == .unprocessableContent)
                // the list endpoints take the same search
                let list = try await client.json(.get, "/api/v1/contacts?q=kier", seeded.token)
                #expect(
                    (list.json["data"] as? [[String: Any]])?.compactMap { $0["last_name"] as? String } == [
                        "Kierkegaard"
                    ])
                // a company rename reaches its people's search keys
                _ = try await client.json(
                    .patch, "/api/v1/companies/\(companyID)", seeded.token, #"{"name": "Havblik A/S"}"#)
                #expect(try await search("havblik") == ["Havblik A/S", "Søren Kierkegaard"])
                // the old name is gone from the person; the company keeps its domain nordlys.dk
                #expect(try await search("nordlys") == ["Havblik A/S"])
            }
        }
    }

    @Test(
        "exact matches first, then names starting with the query, then the rest; ties by recent update",
        arguments: Backend.allCases)
    func ranking(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                for body in [
                    #"{"first_name": "Anna", "last_name": "Hansen"}"#,
                    #"{"first_name": "Hans", "last_name": "Andersen"}"#,
                    #"{"first_name": "Hans"}"#,
                    #"{"first_name": "Mette", "last_name": "Hansen"}"#,
                ] {
                    _ = try await client.json(.post, "/api/v1/contacts", seeded.token, body)
                }
                let response = try await client.json(.get, "/api/v1/search?q=hans", seeded.token)
                #expect(Self.names(response) == ["Hans", "Hans Andersen", "Mette Hansen", "Anna Hansen"])
                let first = (response.json["data"] as? [[String: Any]])?.first
                #expect(first?["type"] as? String == "contact")
                #expect(first?["email"] is NSNull)
                #expect(first?["company_name"] is NSNull)
                // A contact's result shows its address and its company's name; a company's has no address.
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token, #"{"name": "Larsen Shipping"}"#)
                let companyID = try #require(company.json["id"] as? String)
                _ = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Lars", "email": "Lars@Larsen.dk", "company_id": "\#(companyID)"}"#)
                let lars = try await client.json(.get, "/api/v1/search?q=lars", seeded.token)
                let results = try #require(lars.json["data"] as? [[String: Any]])
                let contact = try #require(results.first { $0["type"] as? String == "contact" })
                #expect(contact["email"] as? String == "lars@larsen.dk")
                #expect(contact["company_name"] as? String == "Larsen Shipping")
                let companyResult = try #require(results.first { $0["type"] as? String == "company" })
                #expect(companyResult["name"] as? String == "Larsen Shipping")
                #expect(companyResult["email"] is NSNull)
            }
        }
    }

    @Test(
        "a common prefix is answered from the most recent documents down, with the same results as from every match",
        arguments: Backend.allCases)
    func densePrefixes(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let firsts = ["John", "Johan", "Jonas", "Søren", "Sofie", "Оксана", "مریم", "Jo"]
            let lasts = ["Smith", "Smithson", "Jensen", "Шевченко", "رضایی", "Johnson"]
            var csv = "First Name,Last Name,E-mail Address,Company Name,Tags\n"
            for index in 0..<96 {
                csv +=
                    "\(firsts[index % firsts.count]),\(lasts[index % lasts.count]),p\(index)@x\(index % 5).example,"
                    + "Company \(index % 4),\(index % 3 == 0 ? "vip" : "")\n"
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("dense-\(UUID()).csv")
            try csv.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            for workspace in [seeded.workspace.id, other.workspace.id] {
                _ = try await Importer(
                    app.services, schema: .contacts, viewer: .system(workspace), actor: Actor(.system, id: nil),
                    options: .init(batchSize: 10)
                ).run(file: file)
            }
            // some records are updated later than others, so recency decides ties
            let service = RecordService(app.services, schema: .contacts)
            let page = try await service.repository.list(
                .all(seeded.workspace.id), query: ListQuery(), limit: 96, after: nil)
            for record in page.records.enumerated().filter({ $0.offset % 7 == 0 }).map(\.element) {
                _ = try await service.update(
                    .system(seeded.workspace.id), id: record.id, patch: ["job_title": .string("Editor")],
                    expectedVersion: nil, actor: Actor(.system, id: nil))
            }
            // a renamed company re-indexes its contacts without updating them: recency must not change
            let companies = RecordService(app.services, schema: .companies)
            let renamed = try #require(
                try await companies.repository.list(
                    .all(seeded.workspace.id), query: ListQuery(), limit: 10, after: nil
                ).records.first { $0.string("name") == "Company 1" })
            _ = try await companies.update(
                .system(seeded.workspace.id), id: renamed.id, patch: ["name": .string("Renamed One")],
                expectedVersion: nil, actor: Actor(.system, id: nil))
            let search = SearchRepository(store: app.services.store)
            let found = try await search.search(.all(seeded.workspace.id), query: "renamed", limit: 100)
            #expect(found.count { $0.recordType == "contact" } == 24 && found.count { $0.recordType == "company" } == 1)
            for query in [
                "jo", "john", "john smith", "jo smith", "smith", "s", "so", "p1", "p17@x2.example", "x3", "company",
                "company 2", "vip", "окс", "مر", "jo sm vip", "nobody", "renamed", "jo renamed",
            ] {
                for limit in [1, 5, 20, 100] {
                    let everything = try await search.search(
                        .all(seeded.workspace.id), query: query, limit: limit, denseThreshold: 100_000)
                    for (threshold, scan) in [(0, 100_000), (3, 100_000), (40, 100_000), (3, 0), (3, 30)] {
                        let dense = try await search.search(
                            .all(seeded.workspace.id), query: query, limit: limit, denseThreshold: threshold,
                            scanLimit: scan)
                        let same = dense.map(\.recordID) == everything.map(\.recordID)
                        #expect(same, "\(query) limit \(limit) threshold \(threshold) scan \(scan)")
                    }
                    let withinLimit = everything.count <= limit
                    #expect(withinLimit)
                }
            }
            // exact names come first, then names starting with the query, then the rest
            let ranked = try await search.search(
                .all(seeded.workspace.id), query: "jo", limit: 100, denseThreshold: 0)
            let startsWithJo = ranked.map { $0.displayName.lowercased().hasPrefix("jo") }
            let expected = (0..<96).filter { index in
                let first = firsts[index % firsts.count].lowercased()
                let last = lasts[index % lasts.count].lowercased()
                return first.hasPrefix("jo") || last.hasPrefix("jo")
            }
            #expect(ranked.count == expected.count)
            #expect(startsWithJo.first == true)
            #expect(startsWithJo == startsWithJo.sorted { $0 && !$1 }, "names starting with jo come first")
        }
    }
}

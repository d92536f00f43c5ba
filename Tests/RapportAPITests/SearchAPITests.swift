import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportAPI
import RapportCore
import RapportServer
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
            }
        }
    }
}

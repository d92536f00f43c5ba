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
import SQLKit
import Testing

@Suite("CSV import")
struct ImportAPITests {
    static func upload(
        _ client: any TestClientProtocol, _ token: String, _ bytes: [UInt8], query: String = "object=contacts"
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/imports?\(query)", method: .post, headers: .bearer(token, [.contentType: "text/csv"]),
            body: ByteBuffer(bytes: bytes))
    }

    static func count(_ response: TestResponse, _ key: String) -> Int? { response.json[key] as? Int }

    @Test(
        "every record is counted once: created, updated, unchanged, rejected, duplicate or skipped",
        arguments: Backend.allCases)
    func counting(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                _ = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "Known", "email": "known@x.dk"}"#)
                _ = try await client.json(
                    .post, "/api/v1/contacts", other.token,
                    #"{"first_name": "Elsewhere", "email": "anne@berg.example"}"#)
                let csv = """
                    \u{FEFF}First Name;Last Name;E-mail Address;Company Name;Country/Region;Lifecycle Stage;Record ID
                    Anne;Berg;anne@berg.example;Berg Consulting;Denmark;Marketing Qualified Lead;12345
                    ;;;;;;
                    Anne;;ANNE@berg.example;;;Customer;
                    Bad;;not-an-email;;Narnia;;
                    "Multi
                    Line";Person;multi@x.example;Berg Consulting;;;
                    Known;;known@x.dk;;;;
                    Known;Again;known@x.dk;;;;

                    """.replacingOccurrences(of: "\n", with: "\r\n")
                let response = try await Self.upload(client, seeded.token, Array(csv.utf8))
                #expect(response.status == .ok, "\(response.text)")
                #expect(Self.count(response, "created") == 2)
                #expect(Self.count(response, "updated") == 0)
                #expect(Self.count(response, "unchanged") == 1)
                #expect(Self.count(response, "rejected") == 1)
                // the same address again in the file (row 4 repeats row 2, row 8 repeats row 7) is a duplicate
                #expect(Self.count(response, "duplicates") == 2)
                #expect(Self.count(response, "skipped") == 1)
                #expect(Self.count(response, "companies_created") == 1)
                #expect(response.json["ignored_columns"] as? [String] == ["Record ID"])
                let errors = response.json["errors"] as? [[String: Any]] ?? []
                let rejected = errors.filter { $0["duplicate_of"] is NSNull }
                #expect(Set(rejected.compactMap { $0["row"] as? Int }) == [5])
                #expect(Set(rejected.compactMap { $0["column"] as? String }) == ["E-mail Address", "Country/Region"])
                let duplicates = errors.filter { !($0["duplicate_of"] is NSNull) }
                #expect(duplicates.map { $0["row"] as? Int } == [4, 8])
                #expect(duplicates.map { $0["duplicate_of"] as? Int } == [2, 7])
                #expect(duplicates.map { $0["message"] as? String } == ["Duplicate of row 2.", "Duplicate of row 7."])
                #expect(duplicates.map { $0["column"] as? String } == ["E-mail Address", "E-mail Address"])
                // the data: Anne once, as her first row has her (the duplicate is not written), at Berg
                // Consulting in DK; the multi-line name kept
                let anne = try await client.json(.get, "/api/v1/contacts?email=anne%40berg.example", seeded.token)
                let rows = anne.json["data"] as? [[String: Any]] ?? []
                #expect(rows.count == 1)
                #expect(rows.first?["lifecycle_stage"] as? String == "mql")
                #expect(rows.first?["country"] as? String == "DK")
                #expect(rows.first?["last_name"] as? String == "Berg")
                let multi = try await client.json(.get, "/api/v1/contacts?email=multi%40x.example", seeded.token)
                #expect((multi.json["data"] as? [[String: Any]])?.first?["first_name"] as? String == "Multi\r\nLine")
                // each imported record has an imported event; the other workspace is untouched
                let id = try #require(rows.first?["id"] as? String)
                let timeline = try await client.json(
                    .get, "/api/v1/contacts/\(id)/timeline?type=imported", seeded.token)
                #expect((timeline.json["data"] as? [Any])?.count == 1)
                let elsewhere = try await client.json(.get, "/api/v1/contacts", other.token)
                #expect((elsewhere.json["data"] as? [[String: Any]])?.first?["first_name"] as? String == "Elsewhere")
            }
        }
    }

    @Test(
        "batches of any size give the same report and the same data, a record's later rows duplicates across batches",
        arguments: Backend.allCases)
    func batchSizes(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let csv = """
                First Name,Last Name,E-mail Address,Company Name,Job Title
                Anne,Berg,anne@x.example,Berg ApS,
                Bo,Lund,bo@x.example,Berg ApS,
                ,Berg,anne@x.example,,CEO
                Bo,Lund,bo@x.example,,
                Carl,,carl@x.example,Nord A/S,
                Anne,Berg,ANNE@x.example,,CEO
                Dina,,dina@x.example,Berg ApS,
                Carl,Hansen,carl@x.example,,
                ,,,,
                Eva,,bad-email,,
                Carl,Hansen,carl@x.example,Nord A/S,

                """
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("batches-\(UUID()).csv")
            try csv.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            var outcomes: [String] = []
            for (index, size) in [1, 2, 3, 2000].enumerated() {
                let seeded = try await Fixtures.workspace(app, name: "W\(index)", email: "owner\(index)@w.test")
                let workspace = seeded.workspace.id
                let report = try await Importer(
                    app.services, schema: .contacts, viewer: .system(workspace), actor: Actor(.system, id: nil),
                    options: .init(batchSize: size)
                ).run(file: file)
                let counts: [Int] = [
                    report.created, report.updated, report.unchanged, report.rejected, report.duplicates,
                    report.skipped,
                ]
                #expect(counts == [4, 0, 0, 1, 5, 1], "batches of \(size)")
                #expect(report.companiesCreated == 2, "batches of \(size)")
                let rejectedRows: [Int] = report.errors.filter { $0.duplicateOf == nil }.map(\.row)
                #expect(rejectedRows == [11], "batches of \(size)")
                // a later row of a record, in the same batch or another, repeats the record's first row
                let duplicates = report.errors.compactMap { error in error.duplicateOf.map { "\(error.row)→\($0)" } }
                #expect(duplicates == ["4→2", "5→3", "7→2", "9→6", "12→6"], "batches of \(size)")
                let contacts = try await RecordService(app.services, schema: .contacts).repository.list(
                    .all(workspace), query: ListQuery(), limit: 100, after: nil
                ).records
                let companies = try await RecordService(app.services, schema: .companies).repository.list(
                    .all(workspace), query: ListQuery(), limit: 100, after: nil
                ).records
                let companyName = Dictionary(uniqueKeysWithValues: companies.map { ($0.id, $0.string("name") ?? "") })
                let data = contacts.map {
                    [
                        $0.string("email"), $0.string("first_name"), $0.string("last_name"), $0.string("job_title"),
                        $0.string("company_id").flatMap { companyName[$0] },
                    ].map { $0 ?? "-" }.joined(separator: "|")
                }.sorted()
                #expect(
                    data == [
                        "anne@x.example|Anne|Berg|-|Berg ApS", "bo@x.example|Bo|Lund|-|Berg ApS",
                        "carl@x.example|Carl|-|-|Nord A/S", "dina@x.example|Dina|-|-|Berg ApS",
                    ], "batches of \(size)")
                let events = try await app.services.store.database.raw(
                    "SELECT COUNT(*) AS n FROM events WHERE workspace_id = \(bind: workspace) AND type = 'imported'"
                ).first()
                // one `imported` event per record, however its rows fell into batches
                #expect(try events?.decode(column: "n", as: Int.self) == 4, "batches of \(size)")
                outcomes.append(data.joined(separator: ";"))
            }
            #expect(Set(outcomes).count == 1)
        }
    }

    @Test(
        "dry run writes nothing; strict refuses a file with a rejected row; bad UTF-8 is refused whole",
        arguments: Backend.allCases)
    func modes(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let good = Array("email,first_name\na@x.dk,A\nb@x.dk,B\n".utf8)
                let dry = try await Self.upload(client, seeded.token, good, query: "object=contacts&dry_run=true")
                #expect(Self.count(dry, "created") == 2)
                var list = try await client.json(.get, "/api/v1/contacts", seeded.token)
                #expect((list.json["data"] as? [Any])?.isEmpty == true)
                let mixed = Array("email,first_name\na@x.dk,A\nbroken,B\n".utf8)
                let strict = try await Self.upload(client, seeded.token, mixed, query: "object=contacts&strict=true")
                #expect(strict.status == .unprocessableContent)
                #expect((strict.json["report"] as? [String: Any])?["rejected"] as? Int == 1)
                list = try await client.json(.get, "/api/v1/contacts", seeded.token)
                #expect((list.json["data"] as? [Any])?.isEmpty == true)
                var bad = Array("email,first_name\na@x.dk,A\n".utf8)
                bad += [0x62, 0x40, 0x78, 0x2E, 0x64, 0x6B, 0x2C, 0xC3, 0x28, 0x0A]  // row 3: invalid UTF-8
                let refused = try await Self.upload(client, seeded.token, bad)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.json["row"] as? String == "3")
                list = try await client.json(.get, "/api/v1/contacts", seeded.token)
                #expect((list.json["data"] as? [Any])?.isEmpty == true)
                #expect(
                    try await Self.upload(client, seeded.token, good, query: "object=people").status
                        == .unprocessableContent)
                let mapped = try await Self.upload(
                    client, seeded.token, Array("Mail,Nick\nc@x.dk,C\n".utf8),
                    query: "object=contacts&map=Mail:email&map=Nick:first_name")
                #expect(Self.count(mapped, "created") == 1)
            }
        }
    }

    @Test("a multipart upload reads its file part; a malformed one is refused and the server goes on")
    func multipart() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                func send(_ body: [UInt8], boundary: String = "b0und") async throws -> TestResponse {
                    try await client.execute(
                        uri: "/api/v1/imports?object=contacts", method: .post,
                        headers: .bearer(seeded.token, [.contentType: "multipart/form-data; boundary=\(boundary)"]),
                        body: ByteBuffer(bytes: body))
                }
                let part = Array(
                    "--b0und\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhej\r\n--b0und\r\nContent-Disposition: form-data; name=\"file\"; filename=\"søren.csv\"\r\n\r\nemail,first_name\nsoren@x.dk,Søren\n\r\n--b0und--\r\n"
                        .utf8)
                let good = try await send(part)
                #expect(good.status == .ok, "\(good.text)")
                #expect(Self.count(good, "created") == 1)
                let malformed: [(body: [UInt8], boundary: String)] = [
                    (
                        Array("--b0und\r\n".utf8) + [0xEB, 0xF5, 0x54, 0xE8, 0x10, 0xF2] + Array("--b0und--\r\n".utf8),
                        "b0und"
                    ),
                    (
                        Array("--b0und\r\nContent-Type: text/csv\r\nX-".utf8) + [0xC3, 0xB8]
                            + Array(": 1\r\n\r\nx".utf8), "b0und"
                    ),
                    (part, ""),
                    (part, String(repeating: "b", count: 71)),
                    (
                        Array(
                            "--b0und\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b0und--\r\n".utf8),
                        "b0und"
                    ),
                ]
                for (body, boundary) in malformed {
                    let refused = try await send(body, boundary: boundary)
                    #expect(refused.status == .unprocessableContent, "\(refused.text)")
                    #expect(refused.headers[.contentType] == "application/problem+json")
                }
                let list = try await client.json(.get, "/api/v1/contacts", seeded.token)
                #expect((list.json["data"] as? [Any])?.count == 1)
            }
        }
    }

    @Test("an export imports back as unchanged, custom fields and companies included", arguments: Backend.allCases)
    func roundTrip(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                _ = try await client.json(
                    .post, "/api/v1/custom-fields", seeded.token,
                    #"{"object": "contacts", "key": "tier", "label": "Tier", "type": "multi_select", "options": ["gold", "a,b"]}"#
                )
                let company = try await client.json(
                    .post, "/api/v1/companies", seeded.token,
                    #"{"name": "Ørsted", "domain": "orsted.dk", "tags": ["energy"]}"#)
                let companyID = try #require(company.json["id"] as? String)
                _ = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "=Mads", "last_name": "Nielsen, Jr.", "email": "mads@orsted.dk", "additional_emails": ["m@n.dk"], "phones": [{"type": "work", "number": "+45 99 88"}], "tags": ["a;b", "vip"], "social_profiles": {"x": "@mads"}, "custom": {"tier": ["gold", "a,b"]}, "company_id": "\#(companyID)", "birthday": "1990-02-28"}"#
                )
                _ = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "مریم", "email": "maryam@x.ir"}"#)
                for object in ["contacts", "companies"] {
                    let export = try await client.json(
                        .get, "/api/v1/exports?object=\(object)&format=csv", seeded.token)
                    let dry = try await Self.upload(
                        client, seeded.token, Array(export.body.readableBytesView),
                        query: "object=\(object)&dry_run=true")
                    #expect(dry.status == .ok, "\(dry.text)")
                    #expect(Self.count(dry, "unchanged") == (object == "contacts" ? 2 : 1), "\(object): \(dry.text)")
                    #expect(Self.count(dry, "created") == 0)
                    #expect(Self.count(dry, "updated") == 0)
                    #expect(Self.count(dry, "rejected") == 0, "\(object): \(dry.text)")
                }
            }
        }
    }
}

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

@Suite("Export")
struct ExportAPITests {
    @Test(
        "CSV and JSON lines hold every record of the workspace, custom fields and ids included",
        arguments: Backend.allCases)
    func export(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                _ = try await client.json(
                    .post, "/api/v1/custom-fields", seeded.token,
                    #"{"object": "contacts", "key": "shoe_size", "label": "Shoe size", "type": "number"}"#)
                let created = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Smith, \"Jo\"", "last_name": "=SUM(A1)", "email": "jo@x.dk", "tags": ["vip", "a,b"], "custom": {"shoe_size": 42}, "phones": [{"type": "work", "number": "+45 32 12"}]}"#
                )
                let id = try #require(created.json["id"] as? String)
                _ = try await client.json(.post, "/api/v1/contacts", seeded.token, #"{"first_name": "Оксана"}"#)
                _ = try await client.json(.post, "/api/v1/contacts", other.token, #"{"first_name": "Hidden"}"#)
                let csv = try await client.json(.get, "/api/v1/exports?object=contacts&format=csv", seeded.token)
                #expect(csv.status == .ok)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                var reader = CSVReader()
                let records = try reader.read(Array(csv.body.readableBytesView)) + (try reader.finish())
                let header = try #require(records.first?.fields)
                #expect(header.first == "id")
                #expect(header.last == "custom.shoe_size")
                #expect(records.count == 3)
                #expect(!csv.text.contains("Hidden"))
                let row = try #require(records.first { $0.fields.first == id }?.fields)
                func cell(_ name: String) -> String? { header.firstIndex(of: name).map { row[$0] } }
                #expect(cell("first_name") == #"Smith, "Jo""#)
                #expect(cell("last_name") == "'=SUM(A1)")
                #expect(CSVWriter.unguard(cell("last_name") ?? "") == "=SUM(A1)")
                #expect(cell("tags") == #"["vip","a,b"]"#)
                #expect(cell("custom.shoe_size") == "42")
                let lines = try await client.json(.get, "/api/v1/exports?object=contacts&format=jsonl", seeded.token)
                #expect(lines.headers[.contentType] == "application/x-ndjson")
                let objects = lines.text.split(separator: "\n").compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                #expect(objects.count == 2)
                #expect(objects.first { $0["id"] as? String == id }?["tags"] as? [String] == ["vip", "a,b"])
                #expect(
                    try await client.json(.get, "/api/v1/exports?object=people", seeded.token).status
                        == .unprocessableContent)
            }
        }
    }

    @Test("pages of any size give the same file, in creation order", arguments: Backend.allCases)
    func pages(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                for index in 0..<20 {
                    _ = try await client.json(
                        .post, "/api/v1/contacts", seeded.token, #"{"first_name": "P\#(index)"}"#)
                    _ = try await client.json(
                        .post, "/api/v1/contacts", other.token, #"{"first_name": "Q\#(index)"}"#)
                }
            }
            func export(_ format: Exporter.Format, pageSize: Int) async throws -> String {
                var bytes: [UInt8] = []
                try await Exporter(app.services, schema: .contacts, format: format, pageSize: pageSize).run(
                    .system(seeded.workspace.id)
                ) { bytes += $0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            for format in [Exporter.Format.csv, .jsonl] {
                let whole = try await export(format, pageSize: 5000)
                let names = whole.matches(of: /P(\d+)/).map { Int($0.1)! }
                #expect(names == Array(0..<20), "\(format)")
                #expect(!whole.contains("Q1"))
                // 20 rows: pages that divide them exactly, that do not, and one row each
                for size in [1, 3, 5, 19, 20, 21] {
                    #expect(try await export(format, pageSize: size) == whole, "\(format), pages of \(size)")
                }
            }
        }
    }

    @Test(
        "a CSV names the company and owner beside their ids, and imports into another workspace by those names",
        arguments: Backend.allCases)
    func names(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let actor = Actor(.user, id: seeded.owner.id)
            let company = try await RecordService(app.services, schema: .companies).create(
                .system(seeded.workspace.id), fields: ["name": .string("Nordlys ApS")], actor: actor)
            let contacts = RecordService(app.services, schema: .contacts)
            _ = try await contacts.create(
                .system(seeded.workspace.id),
                fields: [
                    "first_name": .string("Ida"), "company_id": .string(company.id),
                    "owner_id": .string(seeded.owner.id),
                ], actor: actor)
            _ = try await contacts.create(
                .system(seeded.workspace.id), fields: ["first_name": .string("Ole")], actor: actor)
            func export(_ filter: (query: ListQuery, search: [String])?) async throws -> [[String: String]] {
                var bytes: [UInt8] = []
                try await Exporter(app.services, schema: .contacts, format: .csv, pageSize: 1).run(
                    .system(seeded.workspace.id), filter: filter
                ) { bytes += $0 }
                var reader = CSVReader()
                let records = try reader.read(bytes) + (try reader.finish())
                let header = try #require(records.first?.fields)
                return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.fields)) }
            }
            // the whole workspace and a filtered list write the same names
            for rows in [try await export(nil), try await export((ListQuery(), ["ida"]))] {
                let ida = try #require(rows.first { $0["first_name"] == "Ida" })
                #expect(ida["company_id"] == company.id)
                #expect(ida["company_name"] == "Nordlys ApS")
                #expect(ida["owner_id"] == seeded.owner.id)
                #expect(ida["owner_name"] == "Owner of Acme")
                if let ole = rows.first(where: { $0["first_name"] == "Ole" }) {
                    #expect(ole["company_name"] == "", "\(ole)")
                }
            }
            // into another workspace: the company is found (here made) by its name, the foreign id ignored (the
            // owner's too: the other workspace's people are not these)
            var bytes: [UInt8] = []
            try await Exporter(app.services, schema: .contacts, format: .csv).run(.system(seeded.workspace.id)) {
                bytes += $0
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID()).csv")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let report = try await Importer(
                app.services, schema: .contacts, viewer: .system(other.workspace.id), actor: Actor(.system, id: nil),
                options: .init(map: ["owner_id": "-"])
            ).run(file: file)
            #expect(report.created == 2)
            #expect(report.companiesCreated == 1)
            let imported = try await contacts.list(
                .system(other.workspace.id), query: ListQuery(), limit: 10, after: nil, search: ["ida"]
            ).records
            let linked = try #require(imported.first?.string("company_id"))
            #expect(linked != company.id)
            #expect(
                try await RecordService(app.services, schema: .companies).get(
                    .system(other.workspace.id), id: linked
                )
                .string("name") == "Nordlys ApS")
        }
    }
}

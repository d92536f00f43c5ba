import Foundation
import Logging
import RapportCore
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

@Suite("Suggested duplicates in storage")
struct DuplicateMigrationTests {
    @Test(
        "contacts and companies stored before duplicate keys existed (M0015) are suggested after the upgrade",
        arguments: Backend.allCases)
    func upgradeFillsKeys(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let logger = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }
        let store = try await Store.open(url, logger: logger)
        do {
            try await store.migrate(upTo: 14)
            // two workspaces' contacts, as version 14 wrote them
            let ids = (0..<4).map { _ in RecordID.make() }
            for workspace in ["w1", "w2"] {
                try await store.database.raw(
                    "INSERT INTO workspaces (id, name, created_at) VALUES (\(bind: workspace), \(bind: workspace), 0)"
                ).run()
            }
            for (index, (workspace, email, phone)) in [
                ("w1", "anna.berg@gmail.com", "+45 32 12 34 56"), ("w1", "annaberg@gmail.com", "3212 3456"),
                ("w1", "bo@x.test", "+45 99 88 77 66"), ("w2", "anna.berg+x@gmail.com", "32123456"),
            ].enumerated() {
                try await store.database.raw(
                    """
                    INSERT INTO contacts (workspace_id, id, first_name, email, additional_emails, phones, tags,
                        email_consent, social_profiles, custom, version, created_at, updated_at)
                    VALUES (\(bind: workspace), \(bind: ids[index]), 'Anna', \(bind: email), '[]',
                        \(bind: #"[{"type":"work","number":"\#(phone)"}]"#), '[]', 'unknown', '{}', '{}', 1, 0, 0)
                    """
                ).run()
            }
            try await store.migrate()
            #expect(try await store.schemaVersion() == Migrations.latestVersion)
            let duplicates = DuplicateRepository(store: store)
            let pairs = try await duplicates.pairs(workspaceID: "w1", object: "contacts", after: nil, limit: 10)
            #expect(pairs.pairs.map { [$0.first, $0.second] } == [[ids[0], ids[1]]])
            #expect(pairs.pairs.first?.rule == "email")
            let matches = try await duplicates.matches(
                workspaceID: "w1", object: "contacts", recordID: ids[0], after: nil, limit: 10)
            #expect(matches.map(\.rule).sorted() == ["email", "phone"])
            #expect(Set(matches.map(\.otherID)) == [ids[1]])
            // the other workspace's contact shares an address and a phone, but only with its own workspace
            #expect(
                try await duplicates.matches(
                    workspaceID: "w2", object: "contacts", recordID: ids[3], after: nil, limit: 10
                )
                .isEmpty)
        } catch {
            await store.close()
            await drop()
            throw error
        }
        await store.close()
        await drop()
    }

    @Test(
        "workspace pairs page through a large group of records with one phone number, each pair once",
        arguments: Backend.allCases)
    func paging(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            try await store.database.raw("INSERT INTO workspaces (id, name, created_at) VALUES ('w', 'w', 0)").run()
            var records: [Record] = []
            for index in 0..<7 {
                var record = Record.empty(.contacts, workspaceID: "w", now: Int64(index))
                record.values["first_name"] = .string("Switchboard \(index)")
                record.values["email"] = .string("desk\(index)@x.test")
                record.values["phones"] = .array([
                    .object(["type": .string("work"), "number": .string("+45 70 10 20 30")])
                ])
                records.append(record)
            }
            let repository = RecordRepository(store: store, schema: .contacts)
            let rows = repository.newRows(
                records, actor: Actor(.system, id: nil), now: 0, importID: nil, referenceTitles: [:])
            try await store.writeRows { try await repository.insert(rows, on: $0) }
            let duplicates = DuplicateRepository(store: store)
            try await duplicates.dismiss(
                workspaceID: "w", object: "contacts", records[3].id, records[1].id, by: nil, at: 0)
            var seen: [[String]] = []
            var after: DuplicatePairCursor?
            repeat {
                let page = try await duplicates.pairs(workspaceID: "w", object: "contacts", after: after, limit: 4)
                seen += page.pairs.map { [$0.first, $0.second] }
                after = page.next
            } while after != nil
            // 7 records make 21 pairs; one was dismissed
            #expect(seen.count == 20)
            #expect(Set(seen).count == 20)
            #expect(!seen.contains([records[1].id, records[3].id]))
        }
    }
}

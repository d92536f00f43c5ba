import Foundation
import Logging
import RapportCore
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test(
        "migrating an empty database reaches the latest version, and again changes nothing", arguments: Backend.allCases
    )
    func migratesAndIsIdempotent(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let version = try await store.schemaVersion()
            #expect(version >= 1)
            try await store.migrate()
            #expect(try await store.schemaVersion() == version)
            let rows = try await store.database.raw("SELECT COUNT(*) AS n FROM rapport_migrations").first()
            // (one row per migration: the numbers have a gap where another line of work holds one)
            #expect(try rows?.decode(column: "n", as: Int.self) == Migrations.versions.count)
            #expect(version == Migrations.latestVersion)
        }
    }

    @Test("several processes migrating one database at once take turns", arguments: Backend.allCases)
    func concurrentMigrationsTakeTurns(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let logger = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }
        let stores = try await withThrowingTaskGroup(of: Store.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let store = try await Store.open(url, logger: logger)
                    do {
                        try await store.migrate()
                    } catch {
                        await store.close()
                        throw error
                    }
                    return store
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let applied = try await stores[0].database.raw("SELECT version FROM rapport_migrations ORDER BY version").all()
        #expect(try applied.map { try $0.decode(column: "version", as: Int.self) } == Migrations.versions)
        for store in stores { await store.close() }
        await drop()
    }

    @Test(
        "search documents written before the full-text index (M0007) are found after the upgrade",
        arguments: Backend.allCases)
    func searchSurvivesTheFullTextUpgrade(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let logger = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }
        let store = try await Store.open(url, logger: logger)
        do {
            try await store.migrate(upTo: 6)
            // two workspaces' documents and terms, as version 6 wrote them
            for (workspace, record, name, email, terms) in [
                ("w1", "r1", "john smith", "john@smith.example", ["john", "smith", "john@smith.example", "example"]),
                (
                    "w1", "r2", "søren o'brien", "o'brien+news@mail.example",
                    ["soren", "o", "brien", "o'brien+news@mail.example"]
                ),
                ("w2", "r3", "john other", nil, ["john", "other"]),
            ] {
                try await store.database.raw(
                    """
                    INSERT INTO search_docs (workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms)
                    VALUES (\(bind: workspace), \(bind: record), 'contact', \(bind: name), \(bind: email), \(bind: name), 1,
                            \(bind: terms.sorted().joined(separator: " ")))
                    """
                ).run()
                for term in terms {
                    try await store.database.raw(
                        "INSERT INTO search_terms (workspace_id, term, record_id) VALUES (\(bind: workspace), \(bind: term), \(bind: record))"
                    ).run()
                }
            }
            try await store.migrate()
            #expect(try await store.schemaVersion() == Migrations.latestVersion)
            let search = SearchRepository(store: store)
            func ids(_ query: String, in workspace: String = "w1") async throws -> [String] {
                try await search.search(.all(workspace), query: query, limit: 10).map(\.recordID)
            }
            #expect(try await ids("jo sm") == ["r1"])
            #expect(try await ids("john") == ["r1"])
            #expect(try await ids("john", in: "w2") == ["r3"])
            #expect(try await ids("o'brien+news@mail.example") == ["r2"])
            #expect(try await ids("o'bri") == ["r2"])
            #expect(try await ids("brien sor") == ["r2"])
            #expect(try await ids("smith other").isEmpty)
            // a record reindexed after the upgrade loses its old terms
            try await search.index(
                workspaceID: "w1", recordID: "r1", recordType: "contact",
                document: .init(terms: ["jane", "doe"], nameKey: "jane doe", emailKey: nil, displayName: "Jane Doe"),
                updatedAt: 2, owner: (nil, nil), on: store.database)
            #expect(try await ids("john").isEmpty)
            #expect(try await ids("doe ja") == ["r1"])
            try await search.remove(workspaceID: "w1", recordID: "r1", on: store.database)
            #expect(try await ids("doe").isEmpty)
        } catch {
            await store.close()
            await drop()
            throw error
        }
        await store.close()
        await drop()
    }

    @Test("a database migrated by a newer Rapport is refused and left alone", arguments: Backend.allCases)
    func refusesNewerSchema(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            try await store.database.raw(
                "INSERT INTO rapport_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)"
            ).run()
            let error = await #expect(throws: RapportError.self) { try await store.migrate() }
            #expect(error?.detail.contains("9999") == true)
            #expect(try await store.schemaVersion() == 9999)
        }
    }
}

@Suite("Write transactions")
struct WriteTransactionTests {
    struct Refused: Error {}

    @Test(
        "concurrent transactions each commit or roll back on their own, and each gets its own result",
        arguments: Backend.allCases)
    func concurrentTransactions(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            try await store.writeRows { session in
                try await session.run(
                    "INSERT INTO contact_emails (workspace_id, email, contact_id) VALUES ('w', 'taken@x.test', 'c0')",
                    [])
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 1...60 {
                    group.addTask {
                        do {
                            let value = try await store.writeRows { session -> Int in
                                try await session.run(
                                    "INSERT INTO contact_emails (workspace_id, email, contact_id) VALUES ('w', ?, ?)",
                                    [.text("e\(index)@x.test"), .text("c\(index)")])
                                if index % 3 == 1 { throw Refused() }
                                if index % 3 == 2 {
                                    // a unique violation after a write of its own
                                    try await session.run(
                                        "INSERT INTO contact_emails (workspace_id, email, contact_id) VALUES ('w', 'taken@x.test', ?)",
                                        [.text("c\(index)")])
                                }
                                return index * 10
                            }
                            return (index, "value \(value)")
                        } catch is Refused {
                            return (index, "refused")
                        } catch {
                            return (index, "failed")
                        }
                    }
                }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            for index in 1...60 {
                let expected = ["value \(index * 10)", "refused", "failed"][index % 3]
                #expect(outcomes[index] == expected, "transaction \(index)")
            }
            let stored = try await store.readRows { session in
                try await session.rows("SELECT email FROM contact_emails WHERE workspace_id = 'w' ORDER BY email", [])
            }.compactMap { $0[0].text }
            let kept = (1...60).filter { $0 % 3 == 0 }.map { "e\($0)@x.test" } + ["taken@x.test"]
            #expect(stored == kept.sorted())
        }
    }
}

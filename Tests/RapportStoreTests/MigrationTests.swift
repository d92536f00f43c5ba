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
            #expect(try rows?.decode(column: "n", as: Int.self) == version)
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
        #expect(try applied.map { try $0.decode(column: "version", as: Int.self) } == Array(1...applied.count))
        for store in stores { await store.close() }
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

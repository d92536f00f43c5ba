import Foundation
import Logging
package import RapportDatabase
package import RapportStore
import SQLKit
import Testing

/// The databases every storage test runs on. PostgreSQL comes from `RAPPORT_TEST_POSTGRES_URL`, which
/// `scripts/test` sets after starting a throwaway cluster; without it the PostgreSQL cases fail, never skip.
package enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    package var testDescription: String { rawValue }
}

package struct MissingPostgres: Error, CustomStringConvertible {
    package var description: String {
        "RAPPORT_TEST_POSTGRES_URL is not set: run scripts/test, which starts PostgreSQL on 127.0.0.1 and sets it."
    }
}

/// A fresh, empty database per test.
package enum TestDB {
    static let logger: Logger = {
        var logger = Logger(label: "rapport.test")
        logger.logLevel = .warning
        return logger
    }()

    /// The admin URL of the test PostgreSQL cluster.
    package static func postgresAdminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw MissingPostgres()
        }
        return url
    }

    /// Creates an empty database on `backend` and returns its URL; `drop` removes it.
    package static func create(_ backend: Backend) async throws -> (url: DatabaseURL, drop: @Sendable () async -> Void)
    {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "rapport-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("test.sqlite").path
            return (.sqlite(path: path), { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            let adminText = try postgresAdminURL()
            let admin = try DatabaseURL(parsing: adminText)
            guard case .postgres(let host, let port, let user, let password, _) = admin else { throw MissingPostgres() }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let adminStore = try await Store.open(admin, logger: logger)
            try await adminStore.database.raw("CREATE DATABASE \(ident: String(name))").run()
            await adminStore.close()
            let url = DatabaseURL.postgres(
                host: host, port: port, user: user, password: password, database: String(name))
            return (
                url,
                {
                    if let adminStore = try? await Store.open(admin, logger: logger) {
                        try? await adminStore.database.raw(
                            "DROP DATABASE IF EXISTS \(ident: String(name)) WITH (FORCE)"
                        ).run()
                        await adminStore.close()
                    }
                }
            )
        }
    }

    /// Runs `body` with a migrated store on a fresh database, then removes it.
    package static func with<R: Sendable>(_ backend: Backend, _ body: (Store) async throws -> R) async throws -> R {
        let (url, drop) = try await create(backend)
        let store: Store
        do {
            store = try await Store.open(url, logger: logger)
        } catch {
            await drop()
            throw error
        }
        do {
            try await store.migrate()
            let result = try await body(store)
            await store.close()
            await drop()
            return result
        } catch {
            await store.close()
            await drop()
            throw error
        }
    }
}

import Foundation
import Logging
import RapportCore
import RapportDatabase
import SQLKit

extension Store {
    /// Applies every pending migration, each in its own transaction.
    ///
    /// Several processes may call this at once: on PostgreSQL they take turns on an advisory lock, on
    /// SQLite each step runs under `BEGIN IMMEDIATE` and re-checks what is applied.
    /// - Throws: `RapportError` when the database was migrated by a newer Rapport.
    /// - Parameter version: the version to stop at (tests of upgrades); the latest by default.
    package func migrate(upTo version: Int = Migrations.latestVersion) async throws {
        var attempt = 0
        while true {
            do {
                return try await migrateOnce(upTo: version)
            } catch  where DatabaseErrors.isBusy(error) && attempt < 50 {
                // Another process holds SQLite's write lock in a way the busy handler does not wait for
                // (switching to WAL, upgrading a read snapshot); each step re-checks what is applied.
                attempt += 1
                try await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }

    private func migrateOnce(upTo version: Int) async throws {
        try await engine.withConnection { database in
            if let lock = kind.migrationLock { try await database.raw(lock).run() }
            do {
                try await self.applyPending(upTo: version, on: database)
                if let unlock = kind.migrationUnlock { try await database.raw(unlock).run() }
            } catch {
                if let unlock = kind.migrationUnlock { try? await database.raw(unlock).run() }
                throw error
            }
        }
    }

    /// The highest applied migration version, 0 for an empty database.
    package func schemaVersion() async throws -> Int {
        try await engine.withConnection { database in
            try await self.ensureMigrationTable(on: database)
            return try await self.appliedVersion(on: database)
        }
    }

    /// Creates the bookkeeping table, inside a write transaction so that SQLite takes the write lock
    /// (and waits for it) before reading the schema.
    private func ensureMigrationTable(on database: any SQLDatabase) async throws {
        try await database.raw(SQLQueryString(kind.beginTransaction)).run()
        do {
            try await database.raw(
                """
                CREATE TABLE IF NOT EXISTS rapport_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """
            ).run()
            try await database.raw("COMMIT").run()
        } catch {
            try? await database.raw("ROLLBACK").run()
            throw error
        }
    }

    private func appliedVersion(on database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("SELECT MAX(version) AS v FROM rapport_migrations").first()
        return try row?.decodeNil(column: "v") == false ? try row!.decode(column: "v", as: Int.self) : 0
    }

    private func recordedVersions(on database: any SQLDatabase) async throws -> Set<Int> {
        Set(
            try await database.raw("SELECT version FROM rapport_migrations").all().map {
                try $0.decode(column: "version", as: Int.self)
            })
    }

    private func applyPending(upTo version: Int, on database: any SQLDatabase) async throws {
        try await ensureMigrationTable(on: database)
        let applied = try await appliedVersion(on: database)
        if applied > Migrations.latestVersion {
            throw RapportError(
                .conflict,
                "The database schema is version \(applied), newer than this Rapport knows (\(Migrations.latestVersion)); upgrade Rapport."
            )
        }
        // Each migration not yet recorded, even one below the highest applied: lines of work that each
        // took a number merge into one list, and a database that had the later one still gets the other.
        let recorded = try await recordedVersions(on: database)
        for migration in Migrations.all where !recorded.contains(migration.version) && migration.version <= version {
            try await database.raw(SQLQueryString(kind.beginTransaction)).run()
            do {
                // Another process may have applied it while this one waited for the lock.
                if try await recordedVersions(on: database).contains(migration.version) {
                    try await database.raw("ROLLBACK").run()
                    continue
                }
                for statement in migration.statements where migration.only == nil || migration.only == kind {
                    try await database.raw(SQLQueryString(kind.adapt(statement))).run()
                }
                try await migration.fill?(self, database)
                try await database.insert(into: "rapport_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Timestamp.micros(Date())))
                    .run()
                try await database.raw("COMMIT").run()
                logger.info(
                    "applied migration",
                    metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

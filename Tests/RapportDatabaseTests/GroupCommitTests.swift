import Foundation
import Logging
import RapportDatabase
import RapportTestSupport
import Testing

@Suite("Write transactions that arrive together")
struct GroupCommitTests {
    struct Refused: Error {}

    /// What one caller did: whether it meant to fail, and how.
    enum Plan: Sendable {
        case write, throwAfterWriting, duplicate
    }

    @Test(
        "each of many concurrent transactions commits or fails on its own, and a failed one leaves nothing",
        arguments: Backend.allCases)
    func eachOnItsOwn(_ backend: Backend) async throws {
        try await Self.with(backend) { database in
            try await database.writeRows {
                try await $0.run("CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)", [])
                try await $0.run("INSERT INTO settings (name, value) VALUES ('taken', 'x')", [])
            }
            let plans: [Plan] = (0..<300).map { index in
                index % 7 == 3 ? .throwAfterWriting : index % 11 == 5 ? .duplicate : .write
            }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { tasks in
                for (index, plan) in plans.enumerated() {
                    tasks.addTask {
                        do {
                            let written = try await database.writeRows { session -> Int in
                                try await session.run(
                                    "INSERT INTO settings (name, value) VALUES (?, ?)",
                                    [.text("key\(index)"), .text("v")])
                                switch plan {
                                case .write: break
                                case .throwAfterWriting: throw Refused()
                                case .duplicate:
                                    try await session.run(
                                        "INSERT INTO settings (name, value) VALUES ('taken', 'y')", [])
                                }
                                return index
                            }
                            return (written, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                var outcomes: [Int: Bool] = [:]
                for await (index, succeeded) in tasks { outcomes[index] = succeeded }
                return outcomes
            }
            let stored = try await database.readRows { try await $0.rows("SELECT name FROM settings", []) }
            let names = Set(stored.compactMap { $0.first?.text })
            for (index, plan) in plans.enumerated() {
                let meant = plan == .write
                #expect(outcomes[index] == meant, "caller \(index) (\(plan))")
                #expect(names.contains("key\(index)") == meant, "row of caller \(index) (\(plan))")
            }
            let taken = try await database.readRows {
                try await $0.rows("SELECT value FROM settings WHERE name = 'taken'", [])
            }
            #expect(taken.map { $0.first?.text } == ["x"])
        }
    }

    /// Runs `body` with a fresh, empty database on `backend`, then removes it.
    static func with(_ backend: Backend, _ body: (Database) async throws -> Void) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let database: Database
        do {
            database = try await Database.open(url, logger: Logger(label: "rapport.test"))
        } catch {
            await drop()
            throw error
        }
        do {
            try await body(database)
            await database.close()
            await drop()
        } catch {
            await database.close()
            await drop()
            throw error
        }
    }
}

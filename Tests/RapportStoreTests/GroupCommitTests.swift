import Foundation
import RapportStore
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
        try await TestDB.with(backend) { store in
            try await store.bulkTransaction {
                try await $0.run("INSERT INTO settings (name, value) VALUES ('taken', 'x')", [])
            }
            let plans: [Plan] = (0..<300).map { index in
                index % 7 == 3 ? .throwAfterWriting : index % 11 == 5 ? .duplicate : .write
            }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { tasks in
                for (index, plan) in plans.enumerated() {
                    tasks.addTask {
                        do {
                            let written = try await store.bulkTransaction { session -> Int in
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
            let stored = try await store.bulkRead { try await $0.rows("SELECT name FROM settings", []) }
            let names = Set(stored.compactMap { $0.first?.text })
            for (index, plan) in plans.enumerated() {
                let meant = plan == .write
                #expect(outcomes[index] == meant, "caller \(index) (\(plan))")
                #expect(names.contains("key\(index)") == meant, "row of caller \(index) (\(plan))")
            }
            let taken = try await store.bulkRead {
                try await $0.rows("SELECT value FROM settings WHERE name = 'taken'", [])
            }
            #expect(taken.map { $0.first?.text } == ["x"])
        }
    }
}

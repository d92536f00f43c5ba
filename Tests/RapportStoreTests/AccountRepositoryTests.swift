import Foundation
import Logging
import RapportCore
import RapportStore
import RapportTestSupport
import Testing

@Suite("Accounts in the store")
struct AccountRepositoryTests {
    static func valid(_ email: String, role: Role = .owner) throws -> UserDraft.Valid {
        try UserDraft(email: email, name: "N", role: role.rawValue, password: "password1").validate()
    }

    @Test("a user email is unique across the whole installation", arguments: Backend.allCases)
    func emailUniqueAcrossWorkspaces(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let a = try await accounts.createWorkspace(name: "A")
            let b = try await accounts.createWorkspace(name: "B")
            _ = try await accounts.createUser(
                workspaceID: a.id, try Self.valid(" Oksana@Example.COM "), passwordHash: "x")
            let error = await #expect(throws: RapportError.self) {
                try await accounts.createUser(
                    workspaceID: b.id, try Self.valid("oksana@example.com"), passwordHash: "x")
            }
            #expect(error?.code == .conflict)
            #expect(try await accounts.user(email: "OKSANA@example.com")?.workspaceID == a.id)
        }
    }

    @Test("a user is only found inside its own workspace", arguments: Backend.allCases)
    func usersScopedByWorkspace(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let a = try await accounts.createWorkspace(name: "A")
            let b = try await accounts.createWorkspace(name: "B")
            let user = try await accounts.createUser(workspaceID: a.id, try Self.valid("søren@a.dk"), passwordHash: "x")
            #expect(try await accounts.user(workspaceID: a.id, id: user.id) != nil)
            #expect(try await accounts.user(workspaceID: b.id, id: user.id) == nil)
            #expect(try await accounts.users(workspaceID: b.id, limit: 50, after: nil).items.isEmpty)
        }
    }

    @Test("user lists page newest first with a stable cursor", arguments: Backend.allCases)
    func usersPage(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let a = try await accounts.createWorkspace(name: "A")
            var emails: [String] = []
            for index in 0..<5 {
                emails.append("u\(index)@a.test")
                _ = try await accounts.createUser(
                    workspaceID: a.id, try Self.valid("u\(index)@a.test"), passwordHash: "x")
            }
            let first = try await accounts.users(workspaceID: a.id, limit: 2, after: nil)
            let second = try await accounts.users(workspaceID: a.id, limit: 2, after: first.next)
            let third = try await accounts.users(workspaceID: a.id, limit: 2, after: second.next)
            let seen = (first.items + second.items + third.items).map(\.email)
            #expect(seen == emails.reversed())
            #expect(third.next == nil)
        }
    }

    @Test("a token's last-used time is written at most once a minute", arguments: Backend.allCases)
    func tokenTouchThrottled(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let tokens = TokenRepository(store: store)
            let a = try await accounts.createWorkspace(name: "A")
            let user = try await accounts.createUser(workspaceID: a.id, try Self.valid("t@a.test"), passwordHash: "x")
            let (token, secret) = try await tokens.create(workspaceID: a.id, userID: user.id, name: "ci")
            #expect(try await tokens.authenticate(secret: secret)?.tokenID == token.id)
            let firstUse = try await tokens.list(workspaceID: a.id, userID: user.id, limit: 10, after: nil).items[0]
                .lastUsedAt
            #expect(firstUse != nil)
            _ = try await tokens.authenticate(secret: secret)
            let secondUse = try await tokens.list(workspaceID: a.id, userID: user.id, limit: 10, after: nil).items[0]
                .lastUsedAt
            #expect(secondUse == firstUse)
            #expect(try await tokens.authenticate(secret: secret + "x") == nil)
            #expect(try await tokens.revoke(workspaceID: a.id, userID: user.id, id: token.id))
            #expect(try await tokens.authenticate(secret: secret) == nil)
        }
    }

    @Test(
        "a token revoked or a profile changed by another process sharing the database is seen within a second",
        arguments: Backend.allCases)
    func tokenChangesReachOtherProcesses(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let logger = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }
        let here = try await Store.open(url, logger: logger)
        let there = try await Store.open(url, logger: logger)
        do {
            try await here.migrate()
            let accounts = AccountRepository(store: here)
            let a = try await accounts.createWorkspace(name: "A")
            let user = try await accounts.createUser(workspaceID: a.id, try Self.valid("t@a.test"), passwordHash: "x")
            let tokens = TokenRepository(store: here)
            let (first, firstSecret) = try await tokens.create(workspaceID: a.id, userID: user.id, name: "one")
            let (_, secondSecret) = try await tokens.create(workspaceID: a.id, userID: user.id, name: "two")
            #expect(try await tokens.authenticate(secret: firstSecret)?.user.name == user.name)
            #expect(try await tokens.authenticate(secret: secondSecret) != nil)
            // changed through the other process…
            #expect(
                try await TokenRepository(store: there).revoke(workspaceID: a.id, userID: user.id, id: first.id))
            _ = try await AccountRepository(store: there).updateProfile(
                workspaceID: a.id, id: user.id, name: "Renamed", language: nil, expectedVersion: nil)
            // …and seen here once the second has passed
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await tokens.authenticate(secret: firstSecret) == nil)
            #expect(try await tokens.authenticate(secret: secondSecret)?.user.name == "Renamed")
            // through this process, at once
            _ = try await accounts.updateProfile(
                workspaceID: a.id, id: user.id, name: "Again", language: nil, expectedVersion: nil)
            #expect(try await tokens.authenticate(secret: secondSecret)?.user.name == "Again")
        } catch {
            await here.close()
            await there.close()
            await drop()
            throw error
        }
        await here.close()
        await there.close()
        await drop()
    }
}

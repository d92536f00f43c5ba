import Foundation
import RapportCore
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

@Suite("Invitations in the store")
struct InviteRepositoryTests {
    static func valid(_ email: String) throws -> UserDraft.Valid {
        try UserDraft(email: email, name: "New", role: "member", password: "password1").validate()
    }

    static var inAWeek: Int64 { Timestamp.micros(Date()) + 7 * 86_400 * 1_000_000 }

    @Test("the database keeps a hash of the link's token, never the token itself", arguments: Backend.allCases)
    func onlyTheHashIsStored(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let workspace = try await AccountRepository(store: store).createWorkspace(name: "A")
            let invites = InviteRepository(store: store)
            let (invite, token) = try await invites.create(
                workspaceID: workspace.id, email: "new@a.test", name: nil, role: .admin, invitedBy: nil,
                expiresAt: Self.inAWeek)
            #expect(token.count == 43)
            let rows = try await store.database.raw("SELECT * FROM invites").all()
            #expect(rows.count == 1)
            for column in rows[0].allColumns {
                let text = try? rows[0].decode(column: column, as: String?.self)
                #expect(text?.contains(token) != true, "column \(column) holds the token")
            }
            let hash = try rows[0].decode(column: "token_hash", as: String.self)
            #expect(hash.count == 64 && hash != token)
            #expect(try await invites.invite(token: token)?.id == invite.id)
            #expect(try await invites.invite(token: token + "x") == nil)
        }
    }

    @Test("a link used twice at the same moment makes one user", arguments: Backend.allCases)
    func acceptedOnce(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let workspace = try await AccountRepository(store: store).createWorkspace(name: "A")
            let invites = InviteRepository(store: store)
            let (_, token) = try await invites.create(
                workspaceID: workspace.id, email: "new@a.test", name: nil, role: .admin, invitedBy: nil,
                expiresAt: Self.inAWeek)
            let draft = try Self.valid("ignored@elsewhere.test")
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do {
                            return try await invites.accept(token: token, user: draft, passwordHash: "x") != nil
                        } catch let error as RapportError where error.code == .conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            let users = try await AccountRepository(store: store).users(
                workspaceID: workspace.id, limit: 10, after: nil)
            // the invitation's email and role, not the draft's
            #expect(users.items.map(\.email) == ["new@a.test"])
            #expect(users.items.first?.role == .admin)
            let used = try #require(try await invites.invite(token: token))
            #expect(used.acceptedBy == users.items.first?.id)
            #expect(used.status(at: Timestamp.micros(Date())) == .accepted)
        }
    }

    @Test("expired, revoked and replaced links cannot be used, and nothing is written", arguments: Backend.allCases)
    func deadLinks(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let workspace = try await AccountRepository(store: store).createWorkspace(name: "A")
            let invites = InviteRepository(store: store)
            func make(_ email: String) async throws -> (Invite, String) {
                try await invites.create(
                    workspaceID: workspace.id, email: email, name: nil, role: .member, invitedBy: nil,
                    expiresAt: Self.inAWeek)
            }
            let (expired, expiredToken) = try await make("e@a.test")
            try await invites.setExpiry(
                workspaceID: workspace.id, id: expired.id, expiresAt: Timestamp.micros(Date()) - 1)
            let (revoked, revokedToken) = try await make("r@a.test")
            #expect(try await invites.revoke(workspaceID: workspace.id, id: revoked.id))
            #expect(try await !invites.revoke(workspaceID: workspace.id, id: revoked.id))  // once
            let (_, replacedToken) = try await make("p@a.test")
            let (_, newestToken) = try await make("p@a.test")
            let (renewed, renewedToken) = try await make("n@a.test")
            let fresh = try #require(
                try await invites.renew(workspaceID: workspace.id, id: renewed.id, expiresAt: Self.inAWeek))
            for token in [expiredToken, revokedToken, replacedToken, renewedToken] {
                #expect(try await invites.accept(token: token, user: Self.valid("x@a.test"), passwordHash: "x") == nil)
            }
            #expect(
                try await AccountRepository(store: store).users(workspaceID: workspace.id, limit: 10, after: nil).items
                    .isEmpty)
            // the open list: the newest to p@, n@ with its new link, and e@ (expired but not revoked)
            let open = try await invites.open(workspaceID: workspace.id, limit: 10, after: nil).items
            #expect(Set(open.map(\.email)) == ["e@a.test", "p@a.test", "n@a.test"])
            #expect(
                try await invites.accept(token: newestToken, user: Self.valid("x@a.test"), passwordHash: "x") != nil)
            #expect(
                try await invites.accept(token: fresh.token, user: Self.valid("x@a.test"), passwordHash: "x") != nil)
        }
    }

    @Test("one workspace cannot see, renew or revoke another's invitations", arguments: Backend.allCases)
    func scopedByWorkspace(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let a = try await accounts.createWorkspace(name: "A")
            let b = try await accounts.createWorkspace(name: "B")
            let invites = InviteRepository(store: store)
            let (invite, token) = try await invites.create(
                workspaceID: a.id, email: "new@a.test", name: "Ny", role: .member, invitedBy: nil,
                expiresAt: Self.inAWeek)
            #expect(try await invites.open(workspaceID: b.id, limit: 10, after: nil).items.isEmpty)
            #expect(try await invites.invite(workspaceID: b.id, id: invite.id) == nil)
            #expect(try await invites.renew(workspaceID: b.id, id: invite.id, expiresAt: Self.inAWeek) == nil)
            #expect(try await !invites.revoke(workspaceID: b.id, id: invite.id))
            #expect(try await invites.invite(token: token)?.status(at: Timestamp.micros(Date())) == .pending)
        }
    }
}

import Foundation
import RapportCore
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

@Suite("Notifications in the store")
struct NotificationRepositoryTests {
    /// `count` notifications to `recipient`, one a microsecond apart from `start`, oldest first.
    static func notifications(
        _ count: Int, to recipient: String, in workspace: String, start: Int64 = 1_000_000,
        kind: NotificationKind = .mention
    ) -> [UserNotification] {
        (0..<count).map { index in
            UserNotification(
                workspaceID: workspace, recipientID: recipient, kind: kind, recordType: "contact",
                recordID: RecordID.make(), actorID: "someone", text: "Note \(index)",
                data: ["title": .string("Оксана \(index)")], createdAt: start + Int64(index))
        }
    }

    @Test(
        "a user's notifications page newest first, unread ones on their own, and count cheaply",
        arguments: Backend.allCases)
    func pagesAndCounts(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            // given 5 notifications to one user in one batch, and one to someone else
            let workspace = try await AccountRepository(store: store).createWorkspace(name: "A")
            let repository = NotificationRepository(store: store)
            let mine = Self.notifications(5, to: "me", in: workspace.id)
            try await repository.insert(mine + Self.notifications(1, to: "you", in: workspace.id))
            // when read two at a time
            let first = try await repository.page(workspaceID: workspace.id, recipientID: "me", limit: 2, after: nil)
            let second = try await repository.page(
                workspaceID: workspace.id, recipientID: "me", limit: 2, after: first.next)
            let third = try await repository.page(
                workspaceID: workspace.id, recipientID: "me", limit: 2, after: second.next)
            // then newest first, every one once, what was stored comes back whole
            #expect(
                (first.items + second.items + third.items).map(\.text) == [
                    "Note 4", "Note 3", "Note 2", "Note 1", "Note 0",
                ])
            #expect(third.next == nil)
            #expect(first.items[0] == mine[4])
            #expect(try await repository.unreadCount(workspaceID: workspace.id, recipientID: "me") == 5)
            // marking two read leaves three unread, listed on their own
            let marked = try await repository.markRead(
                workspaceID: workspace.id, recipientID: "me", ids: [mine[4].id, mine[0].id, mine[0].id], at: 9)
            #expect(marked == 2)
            #expect(try await repository.unreadCount(workspaceID: workspace.id, recipientID: "me") == 3)
            let unread = try await repository.page(
                workspaceID: workspace.id, recipientID: "me", unread: true, limit: 10, after: nil)
            #expect(unread.items.map(\.text) == ["Note 3", "Note 2", "Note 1"])
            let all = try await repository.page(workspaceID: workspace.id, recipientID: "me", limit: 10, after: nil)
            #expect(all.items.first?.readAt == 9)
            // marking them again changes nothing more
            #expect(
                try await repository.markRead(workspaceID: workspace.id, recipientID: "me", ids: [mine[4].id], at: 10)
                    == 0)
            #expect(try await repository.markAllRead(workspaceID: workspace.id, recipientID: "me", at: 11) == 3)
            #expect(try await repository.unreadCount(workspaceID: workspace.id, recipientID: "me") == 0)
            #expect(try await repository.unreadCount(workspaceID: workspace.id, recipientID: "you") == 1)
        }
    }

    @Test("a user reads and marks only their own, in their own workspace", arguments: Backend.allCases)
    func onlyTheirOwn(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let accounts = AccountRepository(store: store)
            let a = try await accounts.createWorkspace(name: "A")
            let b = try await accounts.createWorkspace(name: "B")
            let repository = NotificationRepository(store: store)
            // given the same user id's notifications in two workspaces, and a teammate's
            let inA = Self.notifications(2, to: "me", in: a.id)
            let inB = Self.notifications(2, to: "me", in: b.id)
            let teammate = Self.notifications(2, to: "you", in: a.id)
            try await repository.insert(inA + inB + teammate)
            // then each list holds only that workspace's and that user's
            #expect(
                Set(
                    try await repository.page(workspaceID: a.id, recipientID: "me", limit: 10, after: nil).items.map(
                        \.id))
                    == Set(inA.map(\.id)))
            #expect(
                try await repository.notification(workspaceID: a.id, recipientID: "me", id: teammate[0].id) == nil)
            #expect(try await repository.notification(workspaceID: a.id, recipientID: "me", id: inB[0].id) == nil)
            #expect(try await repository.notification(workspaceID: a.id, recipientID: "me", id: inA[0].id) == inA[0])
            // marking the teammate's and the other workspace's ids by id changes nothing
            let ids = (teammate + inB).map(\.id)
            #expect(try await repository.markRead(workspaceID: a.id, recipientID: "me", ids: ids, at: 5) == 0)
            // marking all marks only the user's in that workspace
            #expect(try await repository.markAllRead(workspaceID: a.id, recipientID: "me", at: 5) == 2)
            #expect(try await repository.unreadCount(workspaceID: a.id, recipientID: "you") == 2)
            #expect(try await repository.unreadCount(workspaceID: b.id, recipientID: "me") == 2)
        }
    }

    @Test("many notifications go in at once, and a workspace's go with it", arguments: Backend.allCases)
    func manyAtOnce(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            let workspace = try await AccountRepository(store: store).createWorkspace(name: "A")
            let repository = NotificationRepository(store: store)
            try await store.transaction { database in
                try await repository.insert(Self.notifications(450, to: "me", in: workspace.id), on: database)
            }
            #expect(try await repository.unreadCount(workspaceID: workspace.id, recipientID: "me") == 450)
            let ids = try await repository.page(workspaceID: workspace.id, recipientID: "me", limit: 200, after: nil)
                .items.map(\.id)
            #expect(
                try await repository.markRead(workspaceID: workspace.id, recipientID: "me", ids: ids + ids, at: 1)
                    == 200)
            try await store.database.raw("DELETE FROM workspaces WHERE id = \(bind: workspace.id)").run()
            let left = try await store.database.raw("SELECT count(*) AS n FROM notifications").first()
            #expect(try left?.decode(column: "n", as: Int.self) == 0)
        }
    }
}

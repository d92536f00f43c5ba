import Foundation
package import RapportCore
package import SQLKit

/// Users' notifications. Every query names the workspace and the recipient: a user reads and marks only
/// their own.
package struct NotificationRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns =
        "workspace_id, id, recipient_id, kind, record_type, record_id, actor_id, text, data, created_at, read_at"

    /// Stores notifications, many rows to a statement.
    /// - Parameter database: the transaction of the change they are about, when there is one.
    package func insert(_ notifications: [UserNotification], on database: (any SQLDatabase)? = nil) async throws {
        let database = database ?? store.database
        for start in stride(from: 0, to: notifications.count, by: 200) {
            let rows = notifications[start..<min(start + 200, notifications.count)].map { item -> SQLQueryString in
                """
                (\(bind: item.workspaceID), \(bind: item.id), \(bind: item.recipientID), \(bind: item.kind.rawValue),
                 \(bind: item.recordType), \(bind: item.recordID), \(bind: item.actorID), \(bind: item.text),
                 \(bind: JSONText.encode(.object(item.data))), \(bind: item.createdAt), \(bind: item.readAt))
                """
            }
            try await database.raw(
                "INSERT INTO notifications (\(unsafeRaw: Self.columns)) VALUES \(rows.joined(separator: ", "))"
            ).run()
        }
    }

    /// A page of a user's notifications, newest first.
    /// - Parameter unread: only those not yet read.
    package func page(
        workspaceID: String, recipientID: String, unread: Bool = false, limit: Int, after: PageKey?
    ) async throws -> Page<UserNotification> {
        let rows = try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM notifications
            WHERE workspace_id = \(bind: workspaceID) AND recipient_id = \(bind: recipientID)
            \(unsafeRaw: unread ? "AND read_at IS NULL" : "") \(PageKey.condition(after))
            ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)
            """
        ).all().map(Self.notification(from:))
        return Page(fetched: rows, limit: limit) { PageKey(createdAt: $0.createdAt, id: $0.id) }
    }

    /// Whether the workspace has a notification with `id`, whoever it is for (a reminder's id is its job's,
    /// so that a job run again after a crash sees it was sent).
    package func exists(workspaceID: String, id: String, on database: any SQLDatabase) async throws -> Bool {
        try await database.raw(
            "SELECT 1 AS found FROM notifications WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first() != nil
    }

    /// One of the user's notifications; nil for another user's or an unknown id.
    package func notification(workspaceID: String, recipientID: String, id: String) async throws -> UserNotification? {
        try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM notifications
            WHERE workspace_id = \(bind: workspaceID) AND recipient_id = \(bind: recipientID) AND id = \(bind: id)
            """
        ).first().map(Self.notification(from:))
    }

    /// How many of the user's notifications are unread: a range of the partial index, cheap enough for
    /// every page's bell.
    package func unreadCount(workspaceID: String, recipientID: String) async throws -> Int {
        try await store.database.raw(
            """
            SELECT count(*) AS n FROM notifications
            WHERE workspace_id = \(bind: workspaceID) AND recipient_id = \(bind: recipientID) AND read_at IS NULL
            """
        ).first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
    }

    /// Marks some of the user's unread notifications read; other users' ids and unknown ids change nothing.
    /// - Returns: how many were unread and are read now.
    package func markRead(workspaceID: String, recipientID: String, ids: [String], at now: Int64) async throws -> Int {
        let ids = Array(Set(ids))
        guard !ids.isEmpty else { return 0 }
        var updated = 0
        for start in stride(from: 0, to: ids.count, by: 200) {
            let chunk = ids[start..<min(start + 200, ids.count)].map { id -> SQLQueryString in "\(bind: id)" }
            updated += try await store.database.raw(
                """
                UPDATE notifications SET read_at = \(bind: now)
                WHERE workspace_id = \(bind: workspaceID) AND recipient_id = \(bind: recipientID)
                  AND read_at IS NULL AND id IN (\(chunk.joined(separator: ", ")))
                RETURNING id
                """
            ).all().count
        }
        return updated
    }

    /// Marks every unread notification of the user read.
    /// - Returns: how many there were.
    package func markAllRead(workspaceID: String, recipientID: String, at now: Int64) async throws -> Int {
        try await store.database.raw(
            """
            UPDATE notifications SET read_at = \(bind: now)
            WHERE workspace_id = \(bind: workspaceID) AND recipient_id = \(bind: recipientID) AND read_at IS NULL
            RETURNING id
            """
        ).all().count
    }

    static func notification(from row: any SQLRow) throws -> UserNotification {
        var data: [String: JSONValue] = [:]
        if case .object(let members) = try JSONText.decode(try row.decode(column: "data", as: String.self)) {
            data = members
        }
        return UserNotification(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            recipientID: try row.decode(column: "recipient_id", as: String.self),
            kind: NotificationKind(rawValue: try row.decode(column: "kind", as: String.self)),
            recordType: try row.decode(column: "record_type", as: String?.self),
            recordID: try row.decode(column: "record_id", as: String?.self),
            actorID: try row.decode(column: "actor_id", as: String?.self),
            text: try row.decode(column: "text", as: String.self),
            data: data,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            readAt: try row.decode(column: "read_at", as: Int64?.self))
    }
}

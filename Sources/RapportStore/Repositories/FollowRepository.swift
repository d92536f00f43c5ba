import Foundation
import RapportCore
package import SQLKit

/// Who follows which records.
package struct FollowRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Starts or stops following a record; doing it twice changes nothing more.
    /// - Parameter database: the transaction of a change that makes the user follow (a mention), if any.
    package func set(
        following: Bool, workspaceID: String, userID: String, object: String, recordID: String,
        on database: (any SQLDatabase)? = nil
    ) async throws {
        let database = database ?? store.database
        if following {
            try await database.raw(
                """
                INSERT INTO follows (workspace_id, user_id, object, record_id, created_at)
                VALUES (\(bind: workspaceID), \(bind: userID), \(bind: object), \(bind: recordID), \(bind: Timestamp.micros(Date())))
                ON CONFLICT (workspace_id, user_id, object, record_id) DO NOTHING
                """
            ).run()
        } else {
            try await database.raw(
                """
                DELETE FROM follows WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID)
                  AND object = \(bind: object) AND record_id = \(bind: recordID)
                """
            ).run()
        }
    }

    /// Whether the user follows the record.
    package func isFollowing(workspaceID: String, userID: String, object: String, recordID: String) async throws
        -> Bool
    {
        try await store.database.raw(
            """
            SELECT 1 AS found FROM follows WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID)
              AND object = \(bind: object) AND record_id = \(bind: recordID)
            """
        ).first() != nil
    }

    /// How many people follow the record.
    package func followers(workspaceID: String, object: String, recordID: String) async throws -> Int {
        try await store.database.raw(
            """
            SELECT count(*) AS n FROM follows
            WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_id = \(bind: recordID)
            """
        ).first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
    }

    /// The ids of the users who follow the record.
    package func followerIDs(workspaceID: String, object: String, recordID: String, on database: any SQLDatabase)
        async throws -> [String]
    {
        try await database.raw(
            """
            SELECT user_id FROM follows
            WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_id = \(bind: recordID)
            ORDER BY created_at, user_id
            """
        ).all().map { try $0.decode(column: "user_id", as: String.self) }
    }

    /// A merge: the followers of the merged-away record follow the kept one.
    package func move(
        workspaceID: String, object: String, from: String, to target: String, on database: any SQLDatabase
    )
        async throws
    {
        try await database.raw(
            """
            INSERT INTO follows (workspace_id, user_id, object, record_id, created_at)
            SELECT workspace_id, user_id, object, \(bind: target), created_at FROM follows
            WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_id = \(bind: from)
            ON CONFLICT (workspace_id, user_id, object, record_id) DO NOTHING
            """
        ).run()
        try await forget(workspaceID: workspaceID, object: object, recordID: from, on: database)
    }

    /// A deleted record is followed by nobody.
    package func forget(workspaceID: String, object: String, recordID: String, on database: any SQLDatabase)
        async throws
    {
        try await database.raw(
            """
            DELETE FROM follows
            WHERE workspace_id = \(bind: workspaceID) AND object = \(bind: object) AND record_id = \(bind: recordID)
            """
        ).run()
    }
}

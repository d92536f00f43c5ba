import Foundation
import RapportCore
import SQLKit

package struct IdempotencyRepository: Sendable {
    let store: Store
    package static let lifetime: Int64 = 24 * 3600 * 1_000_000

    package init(store: Store) {
        self.store = store
    }

    /// What reserving a key found.
    package enum Reservation: Sendable, Equatable {
        /// The key is new and now held for this request.
        case reserved
        /// A request with this key is still running.
        case inProgress(requestHash: String)
        /// The key's first response.
        case completed(StoredResponse)
    }

    /// Holds `key` for a request, unless a live entry already has it.
    package func reserve(workspaceID: String, tokenID: String, key: String, requestHash: String) async throws
        -> Reservation
    {
        let now = Timestamp.micros(Date())
        return try await store.transaction { database in
            try await database.raw(
                """
                DELETE FROM idempotency_keys WHERE workspace_id = \(bind: workspaceID) AND token_id = \(bind: tokenID)
                  AND idempotency_key = \(bind: key) AND created_at <= \(bind: now - Self.lifetime)
                """
            ).run()
            let inserted = try await database.raw(
                """
                INSERT INTO idempotency_keys
                    (workspace_id, token_id, idempotency_key, request_hash, status, headers, body, created_at)
                VALUES (\(bind: workspaceID), \(bind: tokenID), \(bind: key), \(bind: requestHash), 0, '', '', \(bind: now))
                ON CONFLICT (workspace_id, token_id, idempotency_key) DO NOTHING RETURNING status
                """
            ).all()
            if !inserted.isEmpty { return .reserved }
            guard
                let row = try await database.raw(
                    """
                    SELECT request_hash, status, headers, body FROM idempotency_keys
                    WHERE workspace_id = \(bind: workspaceID) AND token_id = \(bind: tokenID)
                      AND idempotency_key = \(bind: key)
                    """
                ).first()
            else { return .reserved }
            let stored = StoredResponse(
                requestHash: try row.decode(column: "request_hash", as: String.self),
                status: try row.decode(column: "status", as: Int.self),
                headers: try row.decode(column: "headers", as: String.self),
                body: try row.decode(column: "body", as: String.self))
            return stored.status == 0 ? .inProgress(requestHash: stored.requestHash) : .completed(stored)
        }
    }

    /// Keeps the first response for a reserved key.
    package func complete(workspaceID: String, tokenID: String, key: String, response: StoredResponse) async throws {
        try await store.database.raw(
            """
            UPDATE idempotency_keys SET status = \(bind: response.status), headers = \(bind: response.headers),
                body = \(bind: response.body)
            WHERE workspace_id = \(bind: workspaceID) AND token_id = \(bind: tokenID) AND idempotency_key = \(bind: key)
            """
        ).run()
    }

    /// Lets a key go when its request failed on the server's side, so that a retry runs it again.
    package func release(workspaceID: String, tokenID: String, key: String) async throws {
        try await store.database.raw(
            """
            DELETE FROM idempotency_keys
            WHERE workspace_id = \(bind: workspaceID) AND token_id = \(bind: tokenID) AND idempotency_key = \(bind: key)
            """
        ).run()
    }
}

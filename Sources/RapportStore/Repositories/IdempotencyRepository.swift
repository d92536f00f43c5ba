import Foundation
import RapportCore
import SQLKit

/// A stored first response to a write sent with `Idempotency-Key`.
package struct StoredResponse: Sendable, Equatable {
    package var requestHash: String
    package var status: Int
    /// Header lines `name: value`, one per line.
    package var headers: String
    package var body: String

    package init(requestHash: String, status: Int, headers: String, body: String) {
        self.requestHash = requestHash
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Responses to writes keyed by (workspace, token, key), kept for 24 hours.
package struct IdempotencyRepository: Sendable {
    let store: Store
    package static let lifetime: Int64 = 24 * 3600 * 1_000_000

    package init(store: Store) {
        self.store = store
    }

    package func find(workspaceID: String, tokenID: String, key: String) async throws -> StoredResponse? {
        let since = Timestamp.micros(Date()) - Self.lifetime
        guard
            let row = try await store.database.raw(
                """
                SELECT request_hash, status, headers, body FROM idempotency_keys
                WHERE workspace_id = \(bind: workspaceID) AND token_id = \(bind: tokenID)
                  AND idempotency_key = \(bind: key) AND created_at > \(bind: since)
                """
            ).first()
        else { return nil }
        return StoredResponse(
            requestHash: try row.decode(column: "request_hash", as: String.self),
            status: try row.decode(column: "status", as: Int.self),
            headers: try row.decode(column: "headers", as: String.self),
            body: try row.decode(column: "body", as: String.self))
    }

    /// Keeps a response; a concurrent first writer wins and expired keys are replaced.
    package func save(workspaceID: String, tokenID: String, key: String, response: StoredResponse) async throws {
        let now = Timestamp.micros(Date())
        try await store.database.raw(
            """
            INSERT INTO idempotency_keys (workspace_id, token_id, idempotency_key, request_hash, status, headers, body, created_at)
            VALUES (\(bind: workspaceID), \(bind: tokenID), \(bind: key), \(bind: response.requestHash), \(bind: response.status),
                    \(bind: response.headers), \(bind: response.body), \(bind: now))
            ON CONFLICT (workspace_id, token_id, idempotency_key) DO UPDATE SET
                request_hash = excluded.request_hash, status = excluded.status, headers = excluded.headers,
                body = excluded.body, created_at = excluded.created_at
            WHERE idempotency_keys.created_at <= \(bind: now - Self.lifetime)
            """
        ).run()
    }
}

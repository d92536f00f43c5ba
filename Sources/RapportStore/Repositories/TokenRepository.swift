import Crypto
import Foundation
package import RapportCore
import SQLKit
import Synchronization

package struct TokenRepository: Sendable {
    let store: Store
    /// How stale `last_used_at` may get before a request writes it again, so reads stay reads.
    package static let touchInterval: Int64 = 60_000_000

    package init(store: Store) {
        self.store = store
    }

    private var db: any SQLDatabase { store.database }

    /// Creates a token for a user and returns it with its secret, which is never stored.
    package func create(workspaceID: String, userID: String, name: String) async throws -> (
        token: APIToken, secret: String
    ) {
        let secret = Self.newSecret()
        let token = APIToken(
            id: RecordID.make(), workspaceID: workspaceID, userID: userID, name: name,
            createdAt: Timestamp.micros(Date()), lastUsedAt: nil)
        try await db.raw(
            """
            INSERT INTO api_tokens (workspace_id, id, user_id, name, token_hash, created_at)
            VALUES (\(bind: workspaceID), \(bind: token.id), \(bind: userID), \(bind: name), \(bind: Self.hash(secret)), \(bind: token.createdAt))
            """
        ).run()
        return (token, secret)
    }

    /// A user's tokens that are not revoked, newest first, one page at a time.
    package func list(workspaceID: String, userID: String, limit: Int, after: PageKey?) async throws -> Page<APIToken> {
        let rows = try await db.raw(
            """
            SELECT id, workspace_id, user_id, name, created_at, last_used_at FROM api_tokens
            WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID) AND revoked_at IS NULL
            \(PageKey.condition(after)) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)
            """
        ).all().map(Self.token(from:))
        return Page(fetched: rows, limit: limit) { PageKey(createdAt: $0.createdAt, id: $0.id) }
    }

    /// Revokes one of a user's tokens.
    /// - Returns: false when the user has no such live token (another user's or workspace's included).
    package func revoke(workspaceID: String, userID: String, id: String) async throws -> Bool {
        let rows = try await db.raw(
            """
            UPDATE api_tokens SET revoked_at = \(bind: Timestamp.micros(Date()))
            WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID) AND id = \(bind: id) AND revoked_at IS NULL
            RETURNING id
            """
        ).all()
        store.tokens.forgetAll()
        return !rows.isEmpty
    }

    /// The principal a live token belongs to, touching its last-used time at most once a minute.
    package func authenticate(secret: String) async throws -> Principal? {
        let hash = Self.hash(secret)
        if let principal = store.tokens.principal(hash: hash) { return principal }
        guard
            let row = try await db.raw(
                """
                SELECT t.id AS token_id, t.last_used_at, u.id, u.workspace_id, u.email, u.name, u.role, u.language,
                       u.version, u.created_at, u.updated_at, u.deactivated_at, u.time_zone, u.calendar, u.role_id, u.digest,
                       \(unsafeRaw: AccountRepository.roleColumns(of: "u")), w.name AS workspace_name,
                       w.created_at AS workspace_created_at
                FROM api_tokens t
                JOIN users u ON u.workspace_id = t.workspace_id AND u.id = t.user_id
                JOIN workspaces w ON w.id = t.workspace_id
                WHERE t.token_hash = \(bind: hash) AND t.revoked_at IS NULL AND u.deactivated_at IS NULL
                """
            ).first()
        else { return nil }
        let user = try AccountRepository.user(from: row)
        let tokenID = try row.decode(column: "token_id", as: String.self)
        let lastUsed = try row.decode(column: "last_used_at", as: Int64?.self)
        let now = Timestamp.micros(Date())
        if lastUsed.map({ now - $0 >= Self.touchInterval }) ?? true {
            try await db.raw(
                """
                UPDATE api_tokens SET last_used_at = \(bind: now)
                WHERE workspace_id = \(bind: user.workspaceID) AND id = \(bind: tokenID)
                  AND (last_used_at IS NULL OR last_used_at <= \(bind: now - Self.touchInterval))
                """
            ).run()
        }
        let workspace = Workspace(
            id: user.workspaceID, name: try row.decode(column: "workspace_name", as: String.self),
            createdAt: try row.decode(column: "workspace_created_at", as: Int64.self))
        let principal = try await AccountRepository(store: store).principal(user, workspace: workspace, tokenID: tokenID)
        store.tokens.remember(principal, hash: hash)
        return principal
    }

    static func token(from row: any SQLRow) throws -> APIToken {
        APIToken(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self))
    }

    /// `rap_` and 32 random bytes in hex: 256 bits, recognisable in logs and secret scanners.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "rap_" + Hex.encode(bytes)
    }

    static func hash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }
}

import Crypto
import Foundation
package import RapportCore
import SQLKit

/// Invitations to join a workspace. A link's token is returned once, when it is made, and only its
/// SHA-256 is stored, as with API tokens; every query but the lookup by token is scoped by workspace.
package struct InviteRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    private var db: any SQLDatabase { store.database }

    static let columns =
        "workspace_id, id, email, name, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at"

    /// Stores a new invitation and revokes any open one to the same email in the workspace, in one
    /// transaction, so that only the newest link works.
    /// - Returns: the invitation and its token, which is not stored.
    package func create(
        workspaceID: String, email: String, name: String?, role: Role, invitedBy: String?, expiresAt: Int64
    ) async throws -> (invite: Invite, token: String) {
        let now = Timestamp.micros(Date())
        let token = Self.newToken()
        let invite = Invite(
            id: RecordID.make(), workspaceID: workspaceID, email: email, name: name, role: role, invitedBy: invitedBy,
            createdAt: now, expiresAt: expiresAt)
        try await store.transaction { database in
            try await database.raw(
                """
                UPDATE invites SET revoked_at = \(bind: now)
                WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)
                  AND accepted_at IS NULL AND revoked_at IS NULL
                """
            ).run()
            try await database.raw(
                """
                INSERT INTO invites (workspace_id, id, email, name, role, token_hash, invited_by, created_at, expires_at)
                VALUES (\(bind: workspaceID), \(bind: invite.id), \(bind: email), \(bind: name), \(bind: role.rawValue),
                        \(bind: Self.hash(token)), \(bind: invitedBy), \(bind: now), \(bind: expiresAt))
                """
            ).run()
        }
        return (invite, token)
    }

    /// A workspace's open invitations (neither accepted nor revoked, expired ones included), newest
    /// first, one page at a time.
    package func open(workspaceID: String, limit: Int, after: PageKey?) async throws -> Page<Invite> {
        let rows = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM invites
            WHERE workspace_id = \(bind: workspaceID) AND accepted_at IS NULL AND revoked_at IS NULL
            \(PageKey.condition(after)) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)
            """
        ).all().map(Self.invite(from:))
        return Page(fetched: rows, limit: limit) { PageKey(createdAt: $0.createdAt, id: $0.id) }
    }

    /// One invitation of the workspace, whatever its status.
    package func invite(workspaceID: String, id: String) async throws -> Invite? {
        try await db.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM invites WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first().map(Self.invite(from:))
    }

    /// The invitation a link's token belongs to, whatever its status; nil for a token never given out.
    package func invite(token: String) async throws -> Invite? {
        try await db.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM invites WHERE token_hash = \(bind: Self.hash(token))"
        ).first().map(Self.invite(from:))
    }

    /// Revokes an open invitation of the workspace.
    /// - Returns: false when the workspace has no such open invitation.
    package func revoke(workspaceID: String, id: String) async throws -> Bool {
        let rows = try await db.raw(
            """
            UPDATE invites SET revoked_at = \(bind: Timestamp.micros(Date()))
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    /// Gives an open invitation a new token and expiry: the old link stops working.
    /// - Returns: the invitation and its new token; nil when the workspace has no such open invitation.
    package func renew(workspaceID: String, id: String, expiresAt: Int64) async throws -> (
        invite: Invite, token: String
    )? {
        let token = Self.newToken()
        let row = try await db.raw(
            """
            UPDATE invites SET token_hash = \(bind: Self.hash(token)), expires_at = \(bind: expiresAt)
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING \(unsafeRaw: Self.columns)
            """
        ).first()
        return try row.map { (try Self.invite(from: $0), token) }
    }

    /// Moves an invitation's expiry (an invitation made to run out sooner; tests of expired links).
    package func setExpiry(workspaceID: String, id: String, expiresAt: Int64) async throws {
        try await db.raw(
            "UPDATE invites SET expires_at = \(bind: expiresAt) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).run()
    }

    /// Uses an invitation's link: in one transaction, marks the invitation accepted (only while it is
    /// pending, so a link works once even when used twice at the same moment) and creates its user with
    /// the invitation's email and role in its workspace.
    /// - Returns: nil when the token belongs to no pending invitation (nothing is written).
    /// - Throws: `conflict` when the email is in use by now (nothing is written).
    package func accept(token: String, user draft: UserDraft.Valid, passwordHash: String) async throws -> (
        invite: Invite, user: User
    )? {
        let now = Timestamp.micros(Date())
        let userID = RecordID.make()
        let hash = Self.hash(token)
        return try await store.transaction { database in
            guard
                let row = try await database.raw(
                    """
                    UPDATE invites SET accepted_at = \(bind: now), accepted_by = \(bind: userID)
                    WHERE token_hash = \(bind: hash) AND accepted_at IS NULL AND revoked_at IS NULL
                      AND expires_at > \(bind: now)
                    RETURNING \(unsafeRaw: Self.columns)
                    """
                ).first()
            else { return nil }
            let invite = try Self.invite(from: row)
            var draft = draft
            draft.email = invite.email
            draft.role = invite.role
            let user = try await AccountRepository(store: store).createUser(
                workspaceID: invite.workspaceID, draft, passwordHash: passwordHash, id: userID, on: database)
            return (invite, user)
        }
    }

    static func invite(from row: any SQLRow) throws -> Invite {
        Invite(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            name: try row.decode(column: "name", as: String?.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .member,
            invitedBy: try row.decode(column: "invited_by", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self),
            acceptedAt: try row.decode(column: "accepted_at", as: Int64?.self),
            acceptedBy: try row.decode(column: "accepted_by", as: String?.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self))
    }

    /// 32 random bytes in base64url without padding (43 characters): 256 bits, short enough for a link.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}

/// An invitation to join a workspace: a one-time link, sent to an email, that lets its holder choose a
/// name and password and become a user with `role`. Only a hash of the link's token is stored.
package struct Invite: Sendable, Equatable {
    /// Where an invitation stands.
    package enum Status: String, Sendable, Equatable {
        /// Its link works.
        case pending
        /// Its link is past its expiry; a new link can be made.
        case expired
        /// Someone signed up with it.
        case accepted
        /// An admin revoked it, or a newer invitation to the same email replaced it.
        case revoked
    }

    package var id: String
    package var workspaceID: String
    package var email: String
    /// The name the inviter suggested, offered on the sign-up page.
    package var name: String?
    package var role: Role
    /// The user who invited; nil when invited from the command line.
    package var invitedBy: String?
    package var createdAt: Int64
    package var expiresAt: Int64
    package var acceptedAt: Int64?
    package var acceptedBy: String?
    package var revokedAt: Int64?

    package init(
        id: String, workspaceID: String, email: String, name: String?, role: Role, invitedBy: String?,
        createdAt: Int64, expiresAt: Int64, acceptedAt: Int64? = nil, acceptedBy: String? = nil,
        revokedAt: Int64? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.name = name
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.acceptedBy = acceptedBy
        self.revokedAt = revokedAt
    }

    /// Where the invitation stands at `now` (microseconds): used or revoked first, then expired.
    package func status(at now: Int64) -> Status {
        if acceptedAt != nil { return .accepted }
        if revokedAt != nil { return .revoked }
        return expiresAt <= now ? .expired : .pending
    }
}

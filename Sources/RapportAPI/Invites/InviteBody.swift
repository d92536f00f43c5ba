import RapportCore
import RapportHTTP

/// An invitation as listed: never its link, which only the answer that makes it carries.
struct InviteBody: Encodable, Sendable {
    var id: String
    var email: String
    @Nullable var name: String?
    var role: String
    var status: String
    @Nullable var invitedBy: String?
    var createdAt: String
    var expiresAt: String
    /// The sign-up link, in the answer that made it only.
    var link: String?

    init(_ invite: Invite, now: Int64, link: String? = nil) {
        id = invite.id
        email = invite.email
        name = invite.name
        role = invite.role.rawValue
        status = invite.status(at: now).rawValue
        invitedBy = invite.invitedBy
        createdAt = Timestamp.rfc3339(invite.createdAt)
        expiresAt = Timestamp.rfc3339(invite.expiresAt)
        self.link = link
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, role, status, link
        case invitedBy = "invited_by"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }
}

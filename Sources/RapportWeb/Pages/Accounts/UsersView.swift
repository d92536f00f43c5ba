/// The workspace's users and the form that adds one (the password is never shown again); the open
/// invitations and the form that makes one (a new link is shown once).
struct UsersView: PageContent {
    static let template = "users"

    struct Row {
        let name: String
        let email: String
        /// The role's name: a built-in one in the viewer's language, or the workspace's own as it is called.
        let role: String
        /// The teams the user is in, by name; nil for none.
        let teams: String?
        let language: String
        let active: Bool
        /// The roles the viewer may give this user; empty when they may not change it.
        let roles: [Option]
        /// Whether the viewer may change this user's role and status (not their own; an owner only by an owner).
        let manageable: Bool
        let rolePath: String
        let statusPath: String
    }

    /// What was typed into the form, kept when it is shown again with errors.
    struct Typed {
        let email: String?
        let name: String?
    }

    /// An open invitation: pending until it expires, then only a new link or revoking is left.
    struct InviteRow {
        let email: String
        let role: String
        let expiresAt: String
        let expiresDisplay: String
        let expired: Bool
        /// Whether the viewer may make a new link (an admin not for an invitation to become owner).
        let renewable: Bool
        let renewPath: String
        let revokePath: String
    }

    /// A link made just now: shown this once, with a button that copies it.
    struct NewLink {
        let email: String
        let link: String
        let expiresDisplay: String
    }

    let users: [Row]
    let roles: [Option]
    let form: Typed
    let errors: [String: String]
    let created: Bool
    let invites: [InviteRow]
    let hasInvites: Bool
    let invitesLead: String
    let inviteRoles: [Option]
    let inviteEmail: String?
    let inviteErrors: [String: String]
    let newLink: NewLink?
    let invitePath: String
}

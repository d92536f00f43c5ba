import Foundation
package import RapportCore
import RapportStore

/// An invitation just made or made anew, with its link's token: the only time the token exists outside
/// the invitee's hands (the store keeps its hash).
package struct CreatedInvite: Sendable {
    package var invite: Invite
    package var token: String
}

/// Inviting people to a workspace by a one-time link: owners and admins make, list, renew and revoke
/// invitations; whoever holds a link signs up with it once, before it expires.
///
/// Until Rapport sends mail, the link is shown to the inviter (web page, API response, command line),
/// who passes it on. Mail delivery belongs in `create` and `renew`: with the workspace's email settings
/// in place, they enqueue a job that mails `link(token:origin:)` built from the configured public URL,
/// in the same transaction as the invitation.
package struct InviteService: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// How long a link works after it is made.
    package var lifetime: Duration { services.settings.inviteLifetime }

    /// A link no invitation has (never given out, or replaced by a newer link).
    package static let unknownLink = RapportError(.notFound, "This invitation link is not valid.")
    /// A link past its expiry.
    package static let expiredLink = RapportError(.gone, "This invitation has expired; ask for a new link.")
    /// A link that was used to sign up.
    package static let usedLink = RapportError(.gone, "This invitation has already been used; sign in instead.")
    /// A link whose invitation was revoked.
    package static let revokedLink = RapportError(.gone, "This invitation was withdrawn; ask for a new link.")

    /// The path of an invitation's sign-up page.
    package static func path(token: String) -> String { pathPrefix + token }
    static let pathPrefix = "/invite/"

    /// A request path as it may be logged: a sign-up page's token is a secret, so it is left out.
    package static func redacting(_ path: String) -> String {
        path.hasPrefix(pathPrefix) ? pathPrefix + "…" : path
    }

    /// An invitation's full link: on the configured public URL, else on `origin` (the address the
    /// request that asked for it came to, `https://host:port`).
    package func link(token: String, origin: String?) -> String {
        (services.settings.publicURL ?? origin ?? "") + Self.path(token: token)
    }

    /// Invites someone to the principal's workspace (as a member when the draft names no role).
    /// - Throws: `forbidden` for a user who may not manage users or grant the role, `invalid` naming the
    ///   field, `conflict` when the email belongs to a user already.
    package func create(_ draft: InviteDraft, by principal: Principal) async throws -> CreatedInvite {
        try await create(workspaceID: principal.workspace.id, draft, actor: principal.user)
    }

    /// Invites someone to a workspace on behalf of `actor` (nil for the command line, which may grant
    /// any role). An open invitation to the same email is replaced: its link stops working.
    /// - Throws: `forbidden`, `invalid`, `conflict` (see above).
    package func create(workspaceID: String, _ draft: InviteDraft, actor: User?) async throws -> CreatedInvite {
        if let actor { try Access(actor).require(.manageUsers) }
        let valid = try draft.validate()
        if let actor { try Access(actor).require(.grant(valid.role)) }
        if let existing = try await services.accounts.user(email: valid.email) {
            let detail =
                existing.workspaceID != workspaceID
                ? "A user with this email already exists."
                : existing.deactivatedAt == nil
                    ? "This email belongs to a user of this workspace already."
                    : "This email belongs to a deactivated user of this workspace; reactivate them instead."
            throw RapportError(.conflict, detail, fields: [FieldIssue("email", detail)])
        }
        let (invite, token) = try await services.invites.create(
            workspaceID: workspaceID, email: valid.email, name: valid.name, role: valid.role, invitedBy: actor?.id,
            expiresAt: expiry())
        return CreatedInvite(invite: invite, token: token)
    }

    /// The workspace's open invitations (pending and expired), newest first.
    /// - Throws: `forbidden` for a user who may not manage users.
    package func open(of principal: Principal, limit: Int = 200, after: PageKey? = nil) async throws -> Page<Invite> {
        try Access(principal).require(.manageUsers)
        return try await services.invites.open(workspaceID: principal.workspace.id, limit: limit, after: after)
    }

    /// Revokes an open invitation: its link stops working.
    /// - Throws: `forbidden`, `notFound` for an id that is not one of the workspace's open invitations.
    package func revoke(_ id: String, by principal: Principal) async throws {
        try Access(principal).require(.manageUsers)
        guard RecordID.isWellFormed(id), try await services.invites.revoke(workspaceID: principal.workspace.id, id: id)
        else { throw RapportError.notFound("The invitation") }
    }

    /// Makes a new link for an open invitation (an expired one included), with a new expiry; the old link
    /// stops working.
    /// - Throws: `forbidden` (an admin for an invitation to become owner), `notFound` as for `revoke`.
    package func renew(_ id: String, by principal: Principal) async throws -> CreatedInvite {
        let access = Access(principal)
        try access.require(.manageUsers)
        guard RecordID.isWellFormed(id),
            let current = try await services.invites.invite(workspaceID: principal.workspace.id, id: id),
            current.acceptedAt == nil, current.revokedAt == nil
        else { throw RapportError.notFound("The invitation") }
        try access.require(.grant(current.role))
        guard
            let (invite, token) = try await services.invites.renew(
                workspaceID: principal.workspace.id, id: id, expiresAt: expiry())
        else { throw RapportError.notFound("The invitation") }
        return CreatedInvite(invite: invite, token: token)
    }

    /// The pending invitation of a link, with its workspace, for the sign-up page.
    /// - Throws: `unknownLink`, `expiredLink`, `usedLink` or `revokedLink`.
    package func lookup(token: String) async throws -> (invite: Invite, workspace: Workspace) {
        guard let invite = try await services.invites.invite(token: token),
            let workspace = try await services.accounts.workspace(id: invite.workspaceID)
        else { throw Self.unknownLink }
        switch invite.status(at: Timestamp.micros(Date())) {
        case .pending: return (invite, workspace)
        case .expired: throw Self.expiredLink
        case .accepted: throw Self.usedLink
        case .revoked: throw Self.revokedLink
        }
    }

    /// Signs up with a link: creates the invited user with the invitation's email and role in its
    /// workspace, with the name and password given (the rules of any new user), and marks the invitation
    /// used, in one transaction. A link works once.
    /// - Returns: the new user's principal, to sign them in.
    /// - Throws: the link errors of `lookup`, `invalid` naming the field (`password_confirmation` when the
    ///   two passwords differ), `conflict` when the email has become a user's meanwhile. Nothing is written.
    package func accept(
        token: String, name: String?, password: String, confirmation: String, language: Language
    ) async throws -> Principal {
        let (invite, workspace) = try await lookup(token: token)
        var issues: [FieldIssue] = []
        let trimmed = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let draft = UserDraft(
            email: invite.email, name: trimmed.isEmpty ? (invite.name ?? invite.email) : trimmed,
            role: invite.role.rawValue, password: password, language: language.rawValue)
        var valid: UserDraft.Valid?
        do {
            valid = try draft.validate()
        } catch let error as RapportError where error.code == .invalid {
            issues = error.fields
        }
        if password != confirmation, !issues.contains(where: { $0.field == "password" }) {
            issues.append(FieldIssue("password_confirmation", "The passwords do not match."))
        }
        guard let valid, issues.isEmpty else { throw RapportError.invalid(issues) }
        let hash = try await AccountService(services).hashPassword(valid.password)
        guard let (_, user) = try await services.invites.accept(token: token, user: valid, passwordHash: hash) else {
            // Used, revoked or expired since the lookup: say which.
            _ = try await lookup(token: token)
            throw Self.usedLink
        }
        return Principal(user: user, workspace: workspace)
    }

    func expiry() -> Int64 {
        let lifetime = services.settings.inviteLifetime.components
        return Timestamp.micros(Date()) + lifetime.seconds * 1_000_000 + lifetime.attoseconds / 1_000_000_000_000
    }
}

import Foundation
import HummingbirdBcrypt
import NIOPosix
package import RapportCore
import RapportStore

/// Account rules that both the API and the web pages (and the CLI) go through: creating users with
/// hashed passwords, signing in with throttling, and role checks.
package struct AccountService: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// Creates a user in a workspace on behalf of `actor` (nil for the command line).
    /// - Throws: `forbidden` when the actor may not manage users or grant the role, `invalid`, `conflict`.
    package func createUser(workspaceID: String, draft: UserDraft, actor: User?) async throws -> User {
        if let actor { try Access(actor).require(.manageUsers) }
        var valid = try draft.validate()
        if let actor { try Access(actor).require(.grant(valid.role)) }
        if let custom = valid.customRoleID {
            valid.customRoleID = try await resolveRole(custom, workspaceID: workspaceID).custom
        }
        let hash = try await hashPassword(valid.password)
        return try await services.accounts.createUser(workspaceID: workspaceID, valid, passwordHash: hash)
    }

    /// Creates a workspace with its first user as owner, in one transaction.
    package func createWorkspace(name: String, owner draft: UserDraft) async throws -> (Workspace, User) {
        var draft = draft
        draft.role = Role.owner.rawValue
        let valid = try draft.validate()
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw RapportError.invalid([FieldIssue("workspace", "The workspace name must be 1 to 200 characters.")])
        }
        let hash = try await hashPassword(valid.password)
        let accounts = services.accounts
        return try await services.store.transaction { database in
            let workspace = try await accounts.createWorkspace(name: trimmed, on: database)
            let user = try await accounts.createUser(workspaceID: workspace.id, valid, passwordHash: hash, on: database)
            return (workspace, user)
        }
    }

    /// Checks an email and password, counting failures per email and per client address.
    /// - Throws: `rateLimited` while either count is at its threshold (even for the right password),
    ///   `unauthorized` for a wrong email or password.
    package func signIn(email: String, password: String, address: String) async throws -> Principal {
        let settings = services.settings
        let email = Email.normalize(email)
        let wrong = RapportError(.unauthorized, "Wrong email or password.")
        // Text the database cannot hold (NUL) or no address at all cannot match anyone.
        guard Email.isValid(email), !password.unicodeScalars.contains("\u{0}") else { throw wrong }
        // The attempt counts as a failure before the password is checked, so parallel guesses all count.
        let attempt = try await services.throttle.recordAttempt(email: email, address: address)
        let counts = try await services.throttle.failures(
            email: email, address: address, window: settings.loginThrottleWindow)
        if counts.email > settings.loginFailuresPerEmail || counts.address > settings.loginFailuresPerAddress {
            try await services.throttle.forget(attempt: attempt)
            let seconds = Int(settings.loginThrottleWindow.components.seconds)
            throw RapportError(
                .rateLimited, "Too many failed sign-ins. Try again in \(seconds / 60) minutes.", retryAfter: seconds)
        }
        let found = try await services.accounts.credentials(email: email)
        // Verify against a hash of the same cost when the user is unknown, so timing does not tell which emails exist.
        let hash = found?.passwordHash ?? services.unknownUserHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let user = found?.user, matches, user.deactivatedAt == nil,
            let workspace = try await services.accounts.workspace(id: user.workspaceID)
        else { throw wrong }
        try await services.throttle.forget(attempt: attempt)
        return try await services.accounts.principal(user, workspace: workspace)
    }

    /// Revokes one of the user's own API tokens.
    /// - Throws: `notFound` for an id that is not one of the user's tokens.
    package func revokeToken(_ id: String, of principal: Principal) async throws {
        guard RecordID.isWellFormed(id),
            try await services.tokens.revoke(workspaceID: principal.workspace.id, userID: principal.user.id, id: id)
        else { throw RapportError.notFound("The token") }
    }

    /// The workspace's users, for the users page, pickers and the API.
    /// - Throws: `forbidden` for a user who may not see the user list.
    package func users(of principal: Principal, limit: Int = 200, after: PageKey? = nil) async throws -> Page<User> {
        try Access(principal).require(.seeUsers)
        return try await services.accounts.users(workspaceID: principal.workspace.id, limit: limit, after: after)
    }

    /// Names of the workspace's active users to pick from (an owner field), whatever the viewer's role.
    package func choices(workspaceID: String) async throws -> [(id: String, name: String)] {
        try await services.accounts.users(workspaceID: workspaceID, limit: 200, after: nil).items
            .filter { $0.deactivatedAt == nil }.map { ($0.id, $0.name) }
    }

    /// Names of some of the workspace's users by id (a record's owner); unknown ids are left out.
    package func names(workspaceID: String, ids: [String]) async throws -> [String: String] {
        var names: [String: String] = [:]
        for id in Set(ids) {
            if let user = try await services.accounts.user(workspaceID: workspaceID, id: id) { names[id] = user.name }
        }
        return names
    }

    /// Changes the signed-in user's own name or language.
    /// - Throws: `invalid` naming the field, `stale` when `expectedVersion` is not the stored one.
    package func updateProfile(
        of principal: Principal, name: String?, language: Language?, timeZone: String? = nil,
        calendar: CalendarChoice? = nil, digest: DigestChoice? = nil, expectedVersion: Int64?
    ) async throws -> User {
        var issues: [FieldIssue] = []
        if let name, let issue = UserProfile.profileNameIssue(name) { issues.append(issue) }
        if let timeZone, UserProfile.timeZone(timeZone) == nil { issues.append(UserProfile.timeZoneIssue) }
        guard issues.isEmpty else { throw RapportError.invalid(issues) }
        return try await services.accounts.updateProfile(
            workspaceID: principal.workspace.id, id: principal.user.id, name: name, language: language,
            timeZone: timeZone, calendar: calendar, digest: digest, expectedVersion: expectedVersion)
    }

    /// The signed-in user's API tokens.
    package func tokens(of principal: Principal, limit: Int = 200, after: PageKey? = nil) async throws -> Page<APIToken>
    {
        try await services.tokens.list(
            workspaceID: principal.workspace.id, userID: principal.user.id, limit: limit, after: after)
    }

    /// Creates an API token for the signed-in user; its secret is returned once and never stored.
    /// - Throws: `invalid` for a missing or too long name.
    package func createToken(named name: String?, for principal: Principal) async throws -> (APIToken, String) {
        let valid = try TokenName.validate(name)
        return try await services.tokens.create(
            workspaceID: principal.workspace.id, userID: principal.user.id, name: valid)
    }

    /// The principal of an API token's secret, when the token exists and is not revoked.
    package func authenticate(secret: String) async throws -> Principal? {
        try await services.tokens.authenticate(secret: secret)
    }

    /// Gives another user of the workspace a new role.
    /// - Throws: `forbidden` for a user who may not manage users or grant the role (only owners make or
    ///   unmake owners), `invalid` for one's own role, `conflict` when no active owner would be left.
    /// - Parameter key: a built-in role's name or the id of one of the workspace's roles.
    package func changeRole(of userID: String, to key: String, by principal: Principal) async throws -> User {
        let access = Access(principal)
        try access.require(.manageUsers)
        let role = try await resolveRole(key, workspaceID: principal.workspace.id)
        try access.require(.grant(role.builtIn))
        guard userID != principal.user.id else {
            throw RapportError.invalid([FieldIssue("role", "You cannot change your own role.")])
        }
        let current = try await requireUser(userID, in: principal)
        if current.role == .owner { try access.require(.grant(.owner)) }
        return try await services.accounts.updateStatus(
            workspaceID: principal.workspace.id, id: userID, role: role, deactivatedAt: nil)
    }

    /// A role as the API and forms name it: a built-in role, or one of the workspace's own (whose holders
    /// are members for what only owners and admins manage).
    /// - Throws: `invalid` naming `role` for anything else.
    func resolveRole(_ key: String, workspaceID: String) async throws -> (builtIn: Role, custom: String?) {
        if let role = Role(rawValue: key) { return (role, nil) }
        guard RecordID.isWellFormed(key),
            let custom = try await RoleRepository(store: services.store).find(
                workspaceID: workspaceID, id: key.lowercased())
        else {
            throw RapportError.invalid([
                FieldIssue(
                    "role", key: "role_unknown",
                    "Role must be owner, admin, member or the id of one of the workspace's roles.")
            ])
        }
        return (.member, custom.id)
    }

    /// Deactivates a user (they cannot sign in, their tokens stop working, their records keep them as
    /// owner) or makes them active again.
    /// - Throws: `forbidden` for a user who may not manage users (or an admin for an owner), `invalid` for
    ///   oneself, `conflict` when no active owner would be left.
    package func setActive(_ userID: String, _ active: Bool, by principal: Principal) async throws -> User {
        let access = Access(principal)
        try access.require(.manageUsers)
        guard userID != principal.user.id else {
            throw RapportError.invalid([FieldIssue("user", "You cannot deactivate yourself.")])
        }
        let current = try await requireUser(userID, in: principal)
        if current.role == .owner { try access.require(.grant(.owner)) }
        return try await services.accounts.updateStatus(
            workspaceID: principal.workspace.id, id: userID, role: nil,
            deactivatedAt: .some(active ? nil : Timestamp.micros(Date())))
    }

    /// A user of the workspace, for those who may see users.
    /// - Throws: `forbidden`, `notFound`.
    package func user(_ id: String, of principal: Principal) async throws -> User {
        try Access(principal).require(.seeUsers)
        return try await requireUser(id, in: principal)
    }

    func requireUser(_ id: String, in principal: Principal) async throws -> User {
        guard RecordID.isWellFormed(id),
            let user = try await services.accounts.user(workspaceID: principal.workspace.id, id: id)
        else { throw RapportError.notFound("The user") }
        return user
    }

    /// Sets a new password for the user with `email` (the command line's reset, until reset by email exists).
    /// - Throws: `invalid` for a weak password, `notFound` for an unknown email.
    package func resetPassword(email: String, to password: String) async throws -> User {
        if let issue = Password.issue(password) { throw RapportError.invalid([issue]) }
        let hash = try await hashPassword(password)
        return try await services.accounts.setPasswordHash(email: email, hash: hash)
    }

    /// The principal of a web session, when its user still exists.
    package func principal(of session: WebSession) async throws -> Principal? {
        guard let user = try await services.accounts.user(workspaceID: session.workspaceID, id: session.userID),
            user.deactivatedAt == nil,
            let workspace = try await services.accounts.workspace(id: session.workspaceID)
        else { return nil }
        return try await services.accounts.principal(user, workspace: workspace)
    }

    func hashPassword(_ password: String) async throws -> String {
        let cost = services.settings.bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }
}

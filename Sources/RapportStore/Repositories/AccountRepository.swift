import Crypto
import Foundation
package import RapportCore
import RapportDatabase
package import SQLKit

/// Workspaces and users. User emails are unique across the installation; everything else is scoped by workspace.
package struct AccountRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    private var db: any SQLDatabase { store.database }

    // MARK: Workspaces

    /// Creates a workspace, or answers `conflict` when the name is taken.
    package func createWorkspace(name: String, on database: (any SQLDatabase)? = nil) async throws -> Workspace {
        let workspace = Workspace(id: RecordID.make(), name: name, createdAt: Timestamp.micros(Date()))
        let store = self.store
        @Sendable func insert(_ database: any SQLDatabase) async throws {
            try await database.raw(
                "INSERT INTO workspaces (id, name, created_at) VALUES (\(bind: workspace.id), \(bind: name), \(bind: workspace.createdAt))"
            ).run()
            // (every workspace starts with a pipeline for its deals)
            try await PipelineRepository(store: store).createDefault(workspaceID: workspace.id, on: database)
        }
        do {
            if let database { try await insert(database) } else { try await store.transaction(insert) }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(.conflict, "A workspace named \(name) already exists.")
        }
        return workspace
    }

    package func workspace(named name: String) async throws -> Workspace? {
        try await db.raw("SELECT id, name, created_at FROM workspaces WHERE name = \(bind: name)").first()
            .map(Self.workspace(from:))
    }

    package func workspace(id: String) async throws -> Workspace? {
        try await db.raw("SELECT id, name, created_at FROM workspaces WHERE id = \(bind: id)").first()
            .map(Self.workspace(from:))
    }

    /// Every workspace, oldest first; used by the CLI to pick the only one.
    package func allWorkspaces() async throws -> [Workspace] {
        try await db.raw("SELECT id, name, created_at FROM workspaces ORDER BY created_at, id").all()
            .map(Self.workspace(from:))
    }

    static func workspace(from row: any SQLRow) throws -> Workspace {
        Workspace(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    // MARK: Users

    /// A user's columns, with their custom role's name and rules (none for a built-in role).
    static let userColumns =
        "id, workspace_id, email, name, role, language, version, created_at, updated_at, deactivated_at, time_zone, calendar, role_id, digest, "
        + roleColumns(of: "users")

    /// The name and rules of the custom role of the user row `alias`, as `role_name` and `role_permissions`.
    package static func roleColumns(of alias: String) -> String {
        let role = "FROM roles r WHERE r.workspace_id = \(alias).workspace_id AND r.id = \(alias).role_id"
        return "(SELECT r.name \(role)) AS role_name, (SELECT r.permissions \(role)) AS role_permissions"
    }

    /// Inserts a user whose password is already hashed.
    /// - Parameter id: the new user's id, when the caller needs it before the insert (an invitation names its user).
    /// - Throws: `conflict` when the email is in use anywhere in the installation.
    package func createUser(
        workspaceID: String, _ draft: UserDraft.Valid, passwordHash: String, id: String = RecordID.make(),
        on database: (any SQLDatabase)? = nil
    ) async throws -> User {
        let now = Timestamp.micros(Date())
        let database = database ?? db
        do {
            try await database.raw(
                """
                INSERT INTO users (workspace_id, id, email, password_hash, role, role_id, name, language, version, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: id), \(bind: draft.email), \(bind: passwordHash),
                        \(bind: draft.role.rawValue), \(bind: draft.customRoleID), \(bind: draft.name), \(bind: draft.language.rawValue), 1, \(bind: now), \(bind: now))
                """
            ).run()
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(
                .conflict, "A user with this email already exists.",
                fields: [FieldIssue("email", "This email is already in use.")])
        }
        return try await Self.requireUser(workspaceID: workspaceID, id: id, on: database)
    }

    /// A user by email across the installation, with the password hash, for signing in.
    package func credentials(email: String) async throws -> (user: User, passwordHash: String)? {
        guard
            let row = try await db.raw(
                "SELECT \(unsafeRaw: Self.userColumns), password_hash FROM users WHERE email = \(bind: Email.normalize(email))"
            ).first()
        else { return nil }
        return (try Self.user(from: row), try row.decode(column: "password_hash", as: String.self))
    }

    package func user(workspaceID: String, id: String) async throws -> User? {
        try await db.raw(
            "SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first().map(Self.user(from:))
    }

    package func user(email: String) async throws -> User? {
        try await credentials(email: email)?.user
    }

    /// A workspace's users, newest first, one page at a time.
    package func users(workspaceID: String, limit: Int, after: PageKey?) async throws -> Page<User> {
        let rows = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE workspace_id = \(bind: workspaceID)
            \(PageKey.condition(after)) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)
            """
        ).all().map(Self.user(from:))
        return Page(fetched: rows, limit: limit) { PageKey(createdAt: $0.createdAt, id: $0.id) }
    }

    /// Changes a user's own profile fields and bumps the version.
    /// - Parameter expectedVersion: when given, the update happens only if the stored version still matches.
    /// - Throws: `stale` when `expectedVersion` no longer matches, `notFound` when the user is gone.
    package func updateProfile(
        workspaceID: String, id: String, name: String?, language: Language?, timeZone: String? = nil,
        calendar: CalendarChoice? = nil, digest: DigestChoice? = nil, expectedVersion: Int64?
    ) async throws -> User {
        defer { store.tokens.forgetAll() }  // (an authenticated token carries its user's name and language)
        return try await store.transaction { database in
            var user = try await Self.requireUser(workspaceID: workspaceID, id: id, on: database)
            if let expectedVersion, expectedVersion != user.version {
                throw RapportError(.stale, "The profile was changed by someone else; reload it and try again.")
            }
            var changed = user
            changed.name = name ?? user.name
            changed.language = language ?? user.language
            changed.timeZone = timeZone ?? user.timeZone
            changed.calendar = calendar ?? user.calendar
            changed.digest = digest ?? user.digest
            guard changed != user else { return user }
            user = changed
            user.version += 1
            user.updatedAt = max(Timestamp.micros(Date()), user.updatedAt + 1)
            // The version check in the UPDATE itself keeps concurrent writers from losing a change
            // (PostgreSQL's READ COMMITTED does not lock the row read above).
            let updated = try await database.raw(
                """
                UPDATE users SET name = \(bind: user.name), language = \(bind: user.language.rawValue),
                    time_zone = \(bind: user.timeZone), calendar = \(bind: user.calendar.rawValue),
                    digest = \(bind: user.digest.rawValue),
                    version = \(bind: user.version), updated_at = \(bind: user.updatedAt)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND version = \(bind: user.version - 1)
                RETURNING id
                """
            ).all()
            guard !updated.isEmpty else {
                throw RapportError(.stale, "The profile was changed by someone else; reload it and try again.")
            }
            return user
        }
    }

    static func user(from row: any SQLRow) throws -> User {
        let roleText = try row.decode(column: "role", as: String.self)
        let languageText = try row.decode(column: "language", as: String.self)
        return User(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            role: Role(rawValue: roleText) ?? .member,
            language: Language(rawValue: languageText) ?? .en,
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            deactivatedAt: try row.decode(column: "deactivated_at", as: Int64?.self),
            timeZone: try row.decode(column: "time_zone", as: String.self),
            calendar: try row.decode(column: "calendar", as: String?.self).flatMap(CalendarChoice.init(rawValue:)),
            customRole: try customRole(from: row),
            permissions: try row.decode(column: "role_id", as: String?.self).map { _ in
                Permissions.stored(try row.decode(column: "role_permissions", as: String?.self) ?? "")
            },
            digest: DigestChoice(rawValue: try row.decode(column: "digest", as: String.self)) ?? .none)
    }

    static func customRole(from row: any SQLRow) throws -> CustomRole.Reference? {
        guard let id = try row.decode(column: "role_id", as: String?.self) else { return nil }
        return CustomRole.Reference(id: id, name: try row.decode(column: "role_name", as: String?.self) ?? id)
    }

    /// A user's teams and teammates (the members of any of their teams, the user included).
    package func teamFacts(workspaceID: String, userID: String) async throws -> TeamFacts {
        let rows = try await store.readRows(inline: true) {
            try await $0.rows(
                "SELECT m1.team_id, m2.user_id FROM team_members m1 JOIN team_members m2 ON m2.workspace_id = m1.workspace_id AND m2.team_id = m1.team_id WHERE m1.workspace_id = ? AND m1.user_id = ?",
                [.text(workspaceID), .text(userID)])
        }
        return TeamFacts(
            teams: Array(Set(rows.compactMap { $0[0].text })).sorted(),
            teammates: Array(Set(rows.compactMap { $0[1].text } + [userID])).sorted())
    }

    /// The principal of a user: with their teams when their role sees records by team.
    package func principal(_ user: User, workspace: Workspace, tokenID: String? = nil) async throws -> Principal {
        let team = user.permissions.usesTeams ? try await teamFacts(workspaceID: workspace.id, userID: user.id) : nil
        return Principal(user: user, workspace: workspace, tokenID: tokenID, team: team)
    }

    /// A user read inside a transaction that is about to change them.
    /// - Throws: `notFound`.
    static func requireUser(workspaceID: String, id: String, on database: any SQLDatabase) async throws -> User {
        guard
            let row = try await database.raw(
                "SELECT \(unsafeRaw: userColumns) FROM users WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
            ).first()
        else { throw RapportError.notFound("The user") }
        return try user(from: row)
    }

    /// Changes a user's role, or deactivates or reactivates them, in one transaction that checks the
    /// workspace keeps an active owner.
    /// - Throws: `notFound`, `conflict` when the change would leave no active owner.
    /// - Parameter role: the new built-in role, and the custom role when one is chosen (the built-in is
    ///   then `member`).
    package func updateStatus(
        workspaceID: String, id: String, role: (builtIn: Role, custom: String?)?, deactivatedAt: Int64??
    ) async throws -> User {
        defer { store.tokens.forgetAll() }  // (an authenticated token carries its user's role)
        return try await store.transaction { database in
            var user = try await Self.requireUser(workspaceID: workspaceID, id: id, on: database)
            var roleID = user.customRole?.id
            if let role {
                user.role = role.builtIn
                roleID = role.custom
            }
            if let deactivatedAt { user.deactivatedAt = deactivatedAt }
            user.version += 1
            user.updatedAt = Timestamp.micros(Date())
            try await database.raw(
                """
                UPDATE users SET role = \(bind: user.role.rawValue), role_id = \(bind: roleID),
                    deactivated_at = \(bind: user.deactivatedAt),
                    version = \(bind: user.version), updated_at = \(bind: user.updatedAt)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                """
            ).run()
            user = try await Self.requireUser(workspaceID: workspaceID, id: id, on: database)
            let owners =
                try await database.raw(
                    "SELECT count(*) AS n FROM users WHERE workspace_id = \(bind: workspaceID) AND role = 'owner' AND deactivated_at IS NULL"
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
            guard owners > 0 else {
                throw RapportError(.conflict, "A workspace needs an active owner; make someone else owner first.")
            }
            return user
        }
    }

    /// Sets a user's password hash (a reset).
    /// - Throws: `notFound` for an unknown email.
    package func setPasswordHash(email: String, hash: String) async throws -> User {
        defer { store.tokens.forgetAll() }
        guard let found = try await credentials(email: email) else { throw RapportError.notFound("The user") }
        try await db.raw(
            """
            UPDATE users SET password_hash = \(bind: hash), version = version + 1, updated_at = \(bind: Timestamp.micros(Date()))
            WHERE workspace_id = \(bind: found.user.workspaceID) AND id = \(bind: found.user.id)
            """
        ).run()
        return found.user
    }
}

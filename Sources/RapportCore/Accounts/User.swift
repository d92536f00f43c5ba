/// A person who signs in to a workspace.
package struct User: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    package var email: String
    package var name: String
    package var role: Role
    package var language: Language
    /// Incremented on every change; the ETag is derived from it.
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64
    /// When the user was deactivated (they cannot sign in; their tokens do not work); nil while active.
    package var deactivatedAt: Int64?
    /// The IANA time zone the user reads times in (`Europe/Copenhagen`); UTC until they choose one.
    package var timeZone: String
    /// The calendar the user reads dates in.
    package var calendar: CalendarChoice
    /// The workspace's own role the user holds, when not a built-in one (`role` is then `member`, for
    /// what only owners and admins manage).
    package var customRole: CustomRole.Reference?
    /// What the user may do with records: their custom role's rules, else their built-in role's.
    package var permissions: Permissions
    /// Whether the user gets a daily digest of their notifications by email.
    package var digest: DigestChoice

    package init(
        id: String, workspaceID: String, email: String, name: String, role: Role, language: Language,
        version: Int64, createdAt: Int64, updatedAt: Int64, deactivatedAt: Int64? = nil,
        timeZone: String = "UTC", calendar: CalendarChoice? = nil, customRole: CustomRole.Reference? = nil,
        permissions: Permissions? = nil, digest: DigestChoice = .none
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.name = name
        self.role = role
        self.language = language
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deactivatedAt = deactivatedAt
        self.timeZone = timeZone
        self.calendar = calendar ?? .standard(for: language)
        self.customRole = customRole
        self.permissions = permissions ?? .builtIn(role)
        self.digest = digest
    }

    /// The role as the API names it: a built-in role's name, or the custom role's id.
    package var roleKey: String { customRole?.id ?? role.rawValue }
    /// The role's name as people read it.
    package var roleName: String { customRole?.name ?? role.rawValue }
}

/// A workspace, the unit of tenancy: every record belongs to exactly one.
package struct Workspace: Sendable, Equatable, Codable {
    package var id: String
    package var name: String
    package var createdAt: Int64

    package init(id: String, name: String, createdAt: Int64) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A person who signs in to a workspace.
package struct User: Sendable, Equatable, Codable {
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

    package init(
        id: String, workspaceID: String, email: String, name: String, role: Role, language: Language,
        version: Int64, createdAt: Int64, updatedAt: Int64
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
    }
}

/// An API token as listed: never its secret.
package struct APIToken: Sendable, Equatable, Codable {
    package var id: String
    package var workspaceID: String
    package var userID: String
    package var name: String
    package var createdAt: Int64
    package var lastUsedAt: Int64?

    package init(id: String, workspaceID: String, userID: String, name: String, createdAt: Int64, lastUsedAt: Int64?) {
        self.id = id
        self.workspaceID = workspaceID
        self.userID = userID
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// Who a request acts for: a user in a workspace, through a token or a session.
package struct Principal: Sendable, Equatable {
    package var user: User
    package var workspace: Workspace
    /// The token used, when the request came through the API.
    package var tokenID: String?

    package init(user: User, workspace: Workspace, tokenID: String? = nil) {
        self.user = user
        self.workspace = workspace
        self.tokenID = tokenID
    }
}

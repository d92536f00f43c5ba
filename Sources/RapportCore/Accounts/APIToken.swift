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

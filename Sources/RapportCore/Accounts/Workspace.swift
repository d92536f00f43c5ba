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

import RapportCore
import RapportHTTP

/// A role as the API shows it: a built-in one (its id is its name) or one of the workspace's own.
struct RoleBody: Encodable, Sendable {
    var id: String
    var name: String
    var builtIn: Bool
    var permissions: JSONValue
    @Nullable var createdAt: String?
    @Nullable var updatedAt: String?

    init(_ role: CustomRole) {
        id = role.id
        name = role.name
        builtIn = false
        permissions = role.permissions.json
        createdAt = Timestamp.rfc3339(role.createdAt)
        updatedAt = Timestamp.rfc3339(role.updatedAt)
    }

    init(builtIn role: Role) {
        id = role.rawValue
        name = role.rawValue
        builtIn = true
        permissions = Permissions.builtIn(role).json
    }

    enum CodingKeys: String, CodingKey {
        case id, name, permissions
        case builtIn = "built_in"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

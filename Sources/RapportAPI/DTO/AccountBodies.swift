import RapportCore
import RapportHTTP
import RapportServices

/// `{"user": {...}, "workspace": {...}}` of `GET /api/v1/me`.
struct MeBody: Encodable, Sendable {
    var user: UserBody
    var workspace: WorkspaceBody

    init(_ principal: Principal) {
        user = UserBody(principal.user)
        workspace = WorkspaceBody(id: principal.workspace.id, name: principal.workspace.name)
    }
}

struct WorkspaceBody: Encodable, Sendable {
    var id: String
    var name: String
}

/// A user as the API shows it.
struct UserBody: Encodable, Sendable {
    var id: String
    var email: String
    var name: String
    var role: String
    var language: String
    var createdAt: String
    var updatedAt: String

    init(_ user: User) {
        id = user.id
        email = user.email
        name = user.name
        role = user.role.rawValue
        language = user.language.rawValue
        createdAt = Timestamp.rfc3339(user.createdAt)
        updatedAt = Timestamp.rfc3339(user.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, role, language
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A token as listed: never its secret.
struct TokenBody: Encodable, Sendable {
    var id: String
    var name: String
    var createdAt: String
    var lastUsedAt: String?

    init(_ token: APIToken) {
        id = token.id
        name = token.name
        createdAt = Timestamp.rfc3339(token.createdAt)
        lastUsedAt = token.lastUsedAt.map(Timestamp.rfc3339)
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
    }
}

/// The answer to `POST /api/v1/tokens`: the only time the secret is shown.
struct CreatedTokenBody: Encodable, Sendable {
    var id: String
    var name: String
    var token: String
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, token
        case createdAt = "created_at"
    }
}

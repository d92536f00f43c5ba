import RapportCore
import RapportHTTP
import RapportServices

/// A token as listed: never its secret.
struct TokenBody: Encodable, Sendable {
    var id: String
    var name: String
    var createdAt: String
    @Nullable var lastUsedAt: String?

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
}

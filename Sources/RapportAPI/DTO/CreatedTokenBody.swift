import RapportCore
import RapportHTTP
import RapportServices

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

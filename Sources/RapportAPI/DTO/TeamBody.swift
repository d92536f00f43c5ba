import RapportCore
import RapportHTTP

/// A team as the API shows it.
struct TeamBody: Encodable, Sendable {
    var id: String
    var name: String
    @Nullable var leadID: String?
    var memberIDs: [String]
    var createdAt: String
    var updatedAt: String

    init(_ team: Team) {
        id = team.id
        name = team.name
        leadID = team.leadID
        memberIDs = team.memberIDs
        createdAt = Timestamp.rfc3339(team.createdAt)
        updatedAt = Timestamp.rfc3339(team.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case leadID = "lead_id"
        case memberIDs = "member_ids"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

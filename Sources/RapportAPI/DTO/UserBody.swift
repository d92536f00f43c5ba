import RapportCore
import RapportHTTP
import RapportServices

/// A user as the API shows it.
struct UserBody: Encodable, Sendable {
    var id: String
    var email: String
    var name: String
    /// A built-in role's name, or the id of the workspace's own role.
    var role: String
    var roleName: String
    var active: Bool
    var language: String
    var timeZone: String
    var calendar: String
    var createdAt: String
    var updatedAt: String

    init(_ user: User) {
        id = user.id
        email = user.email
        name = user.name
        role = user.roleKey
        roleName = user.roleName
        active = user.deactivatedAt == nil
        language = user.language.rawValue
        timeZone = user.timeZone
        calendar = user.calendar.rawValue
        createdAt = Timestamp.rfc3339(user.createdAt)
        updatedAt = Timestamp.rfc3339(user.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, role, language, calendar, active
        case roleName = "role_name"
        case timeZone = "time_zone"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

import RapportCore
import RapportHTTP
import RapportServices

/// `{"user": {...}, "workspace": {...}, "digest", "teams", "permissions"}` of `GET /api/v1/me`: who the
/// caller is, and what their role lets them do with each object.
struct MeBody: Encodable, Sendable {
    var user: UserBody
    var workspace: WorkspaceBody
    var digest: String
    var teamIDs: [String]
    var permissions: JSONValue

    init(_ principal: Principal, teams: [String]) {
        user = UserBody(principal.user)
        workspace = WorkspaceBody(id: principal.workspace.id, name: principal.workspace.name)
        digest = principal.user.digest.rawValue
        teamIDs = teams
        permissions = principal.user.permissions.json
    }

    enum CodingKeys: String, CodingKey {
        case user, workspace, digest, permissions
        case teamIDs = "team_ids"
    }
}

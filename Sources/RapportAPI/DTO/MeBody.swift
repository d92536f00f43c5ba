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

import RapportCore
import RapportHTTP
import RapportServices

struct WorkspaceBody: Encodable, Sendable {
    var id: String
    var name: String
}

package import RapportCore
import RapportStore

/// Following records: a user who follows a record sees on their home page what others change on it.
package struct FollowService: Sendable {
    let services: Services
    let schema: ObjectType
    var follows: FollowRepository { FollowRepository(store: services.store) }

    package init(_ services: Services, schema: ObjectType) {
        self.services = services
        self.schema = schema
    }

    /// Starts or stops following a record the user can read.
    /// - Throws: `notFound` for a record not in the user's workspace.
    package func set(following: Bool, _ principal: Principal, recordID: String) async throws {
        _ = try await RecordService(services, schema: schema).get(principal.viewer, id: recordID)
        try await follows.set(
            following: following, workspaceID: principal.workspace.id, userID: principal.user.id,
            object: schema.name, recordID: recordID)
    }

    /// Whether the user follows the record, and how many people do.
    package func state(_ principal: Principal, recordID: String) async throws -> (following: Bool, followers: Int) {
        let workspaceID = principal.workspace.id
        return (
            try await follows.isFollowing(
                workspaceID: workspaceID, userID: principal.user.id, object: schema.name, recordID: recordID),
            try await follows.followers(workspaceID: workspaceID, object: schema.name, recordID: recordID)
        )
    }
}

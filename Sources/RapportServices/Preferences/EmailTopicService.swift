import Foundation
package import RapportCore
import RapportStore

/// The workspace's email topics: everyone reads them (to choose one for a template); owners and admins make,
/// change and delete them (`Access.manageEmail`).
package struct EmailTopicService: Sendable {
    let services: Services
    var topics: EmailTopicRepository { EmailTopicRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The workspace's topics by name.
    package func all(_ viewer: Viewer) async throws -> [EmailTopic] {
        try await topics.all(workspaceID: viewer.workspaceID)
    }

    /// - Throws: `notFound` (also for another workspace's id).
    package func get(_ viewer: Viewer, id: String) async throws -> EmailTopic {
        guard let topic = try await topics.find(workspaceID: viewer.workspaceID, id: id) else {
            throw RapportError.notFound("The topic")
        }
        return topic
    }

    /// - Throws: `forbidden`; `invalid` naming bad fields; `conflict` for a name the workspace has.
    package func create(_ principal: Principal, name: String?, description: String?) async throws -> EmailTopic {
        try Access(principal).require(.manageEmail)
        let description = description?.trimmed().nonEmptyTopicText
        let issues = EmailTopic.issues(name: name, description: description)
        guard issues.isEmpty, let name = name?.trimmed() else { throw RapportError.invalid(issues) }
        let now = Timestamp.micros(Date())
        let topic = EmailTopic(
            workspaceID: principal.workspace.id, id: RecordID.make(), name: name, description: description,
            version: 1, createdAt: now, updatedAt: now)
        try await topics.create(topic)
        return topic
    }

    /// Changes a topic's name or description (each when given; a description of `.some(nil)` removes it).
    /// - Throws: `forbidden`; `notFound`; `invalid`; `conflict`; `stale` when `expectedVersion` differs.
    package func update(
        _ principal: Principal, id: String, name: String?, description: String??, expectedVersion: Int64? = nil
    ) async throws -> EmailTopic {
        try Access(principal).require(.manageEmail)
        var topic = try await get(principal.viewer, id: id)
        if let expectedVersion, expectedVersion != topic.version {
            throw RapportError(.stale, "The topic was changed by someone else; reload it and try again.")
        }
        let before = topic.version
        if let name { topic.name = name.trimmed() }
        if let description { topic.description = description?.trimmed().nonEmptyTopicText }
        let issues = EmailTopic.issues(name: topic.name, description: topic.description)
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        topic.version += 1
        topic.updatedAt = max(Timestamp.micros(Date()), topic.updatedAt + 1)
        try await topics.update(topic, expectedVersion: before)
        return topic
    }

    /// Deletes a topic: its templates name none any more, and contacts' choices of it are forgotten.
    /// - Throws: `forbidden`; `notFound`.
    package func delete(_ principal: Principal, id: String) async throws {
        try Access(principal).require(.manageEmail)
        guard try await topics.delete(workspaceID: principal.workspace.id, id: id) else {
            throw RapportError.notFound("The topic")
        }
    }
}

extension String {
    /// Nil for an empty string.
    fileprivate var nonEmptyTopicText: String? { isEmpty ? nil : self }
}

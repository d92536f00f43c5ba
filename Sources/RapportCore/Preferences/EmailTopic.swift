import Foundation

/// A kind of marketing mail a workspace sends ("Newsletter", "Product updates", "Events"). A marketing
/// template may name one; a contact keeps or drops each topic in the preference centre, and a message of a
/// dropped topic is not sent.
package struct EmailTopic: Sendable, Equatable {
    package var workspaceID: String
    package var id: String
    package var name: String
    /// What the contact reads under the name in the preference centre.
    package var description: String?
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64

    package init(
        workspaceID: String, id: String, name: String, description: String?, version: Int64, createdAt: Int64,
        updatedAt: Int64
    ) {
        self.workspaceID = workspaceID
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What is wrong with a name and a description.
    package static func issues(name: String?, description: String?) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let name = name?.trimmed(), !name.isEmpty {
            if name.count > 100 {
                issues.append(FieldIssue("name", key: "topic_name_long", "At most 100 characters."))
            }
        } else {
            issues.append(FieldIssue("name", key: "topic_name_required", "A topic needs a name."))
        }
        if let description, description.count > 500 {
            issues.append(FieldIssue("description", key: "topic_description_long", "At most 500 characters."))
        }
        return issues
    }
}

/// Whether a contact gets a topic's mail. A topic the contact never chose is kept.
package enum TopicChoice: String, Sendable, CaseIterable, Codable {
    case kept, dropped
}

/// One change of a contact's choice of a topic, as it was made (append-only).
package struct TopicPreferenceChange: Sendable, Equatable {
    package var id: String
    package var contactID: String
    package var topicID: String
    package var choice: TopicChoice
    /// `preference_centre` (the contact), `api` or `admin`.
    package var source: String
    package var at: Int64

    package init(
        id: String = RecordID.make(), contactID: String, topicID: String, choice: TopicChoice, source: String,
        at: Int64
    ) {
        self.id = id
        self.contactID = contactID
        self.topicID = topicID
        self.choice = choice
        self.source = source
        self.at = at
    }
}

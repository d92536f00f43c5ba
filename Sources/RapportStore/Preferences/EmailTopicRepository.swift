import Foundation
package import RapportCore
import RapportDatabase
package import SQLKit

/// A workspace's email topics (`email_topics`), the kinds of marketing mail a contact may keep or drop.
package struct EmailTopicRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = "workspace_id, id, name, description, version, created_at, updated_at"

    /// The workspace's topics by name.
    package func all(workspaceID: String, on database: (any SQLDatabase)? = nil) async throws -> [EmailTopic] {
        try await (database ?? store.database).raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM email_topics WHERE workspace_id = \(bind: workspaceID)
            ORDER BY name_key, id
            """
        ).all().map(Self.topic(from:))
    }

    /// A topic of the workspace; nil for none (or another workspace's).
    package func find(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws
        -> EmailTopic?
    {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await (database ?? store.database).raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM email_topics
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased())
            """
        ).first().map(Self.topic(from:))
    }

    /// Saves a new topic.
    /// - Throws: `conflict` when the workspace has a topic of that name.
    package func create(_ topic: EmailTopic) async throws {
        do {
            try await store.database.raw(
                """
                INSERT INTO email_topics (workspace_id, id, name, name_key, description, version, created_at, updated_at)
                VALUES (\(bind: topic.workspaceID), \(bind: topic.id), \(bind: topic.name),
                        \(bind: SearchKey.normalize(topic.name)), \(bind: topic.description), \(bind: topic.version),
                        \(bind: topic.createdAt), \(bind: topic.updatedAt))
                """
            ).run()
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(topic.name)
        }
    }

    /// Writes a changed topic when it is still at `expectedVersion`.
    /// - Throws: `stale` when it changed meanwhile; `conflict` for a taken name.
    package func update(_ topic: EmailTopic, expectedVersion: Int64) async throws {
        do {
            let updated = try await store.database.raw(
                """
                UPDATE email_topics SET name = \(bind: topic.name), name_key = \(bind: SearchKey.normalize(topic.name)),
                    description = \(bind: topic.description), version = \(bind: topic.version),
                    updated_at = \(bind: topic.updatedAt)
                WHERE workspace_id = \(bind: topic.workspaceID) AND id = \(bind: topic.id)
                    AND version = \(bind: expectedVersion)
                RETURNING id
                """
            ).first()
            guard updated != nil else {
                throw RapportError(.stale, "The topic was changed by someone else; reload it and try again.")
            }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(topic.name)
        }
    }

    /// Deletes a topic with contacts' choices of it; its templates then name no topic. False when the workspace
    /// has no such topic.
    package func delete(workspaceID: String, id: String) async throws -> Bool {
        guard RecordID.isWellFormed(id) else { return false }
        let id = id.lowercased()
        return try await store.transaction { database in
            guard
                try await database.raw(
                    "DELETE FROM email_topics WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id"
                ).first() != nil
            else { return false }
            try await database.raw(
                "UPDATE email_templates SET topic_id = NULL WHERE workspace_id = \(bind: workspaceID) AND topic_id = \(bind: id)"
            ).run()
            for table in ["contact_topic_preferences", "topic_preference_changes"] {
                try await database.raw(
                    "DELETE FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) AND topic_id = \(bind: id)"
                ).run()
            }
            return true
        }
    }

    static func nameTaken(_ name: String) -> RapportError {
        RapportError(
            .conflict, "Another topic is already called \(name).",
            fields: [FieldIssue("name", key: "topic_name_taken", "Another topic already has this name.")])
    }

    static func topic(from row: any SQLRow) throws -> EmailTopic {
        EmailTopic(
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

/// Contacts' choices of topics (`contact_topic_preferences`) and their append-only history
/// (`topic_preference_changes`).
package struct TopicPreferenceRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// A contact's choices by topic id (topics never chosen are left out: they are kept).
    package func choices(workspaceID: String, contactID: String, on database: (any SQLDatabase)? = nil)
        async throws -> [String: TopicChoice]
    {
        let rows = try await (database ?? store.database).raw(
            """
            SELECT topic_id, choice FROM contact_topic_preferences
            WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)
            """
        ).all()
        var choices: [String: TopicChoice] = [:]
        for row in rows {
            choices[try row.decode(column: "topic_id", as: String.self)] =
                TopicChoice(rawValue: try row.decode(column: "choice", as: String.self)) ?? .kept
        }
        return choices
    }

    /// The name of a template's topic when the contact dropped it; nil when the template has no topic or the
    /// contact keeps it.
    package func droppedTopic(workspaceID: String, templateID: String, contactID: String) async throws -> String? {
        try await store.database.raw(
            """
            SELECT t.name FROM email_templates m
            JOIN email_topics t ON t.workspace_id = m.workspace_id AND t.id = m.topic_id
            JOIN contact_topic_preferences p ON p.workspace_id = m.workspace_id AND p.topic_id = m.topic_id
            WHERE m.workspace_id = \(bind: workspaceID) AND m.id = \(bind: templateID)
                AND p.contact_id = \(bind: contactID) AND p.choice = 'dropped'
            """
        ).first()?.decode(column: "name", as: String.self)
    }

    /// Forgets a deleted contact's choices and their history.
    package func remove(workspaceID: String, contactID: String, on database: any SQLDatabase) async throws {
        for table in ["contact_topic_preferences", "topic_preference_changes"] {
            try await database.raw(
                "DELETE FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)"
            ).run()
        }
    }

    /// Gives one contact's choices (where the other has none) and history to another (a merge).
    package func move(workspaceID: String, from: String, to: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            """
            UPDATE contact_topic_preferences SET contact_id = \(bind: to)
            WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: from) AND topic_id NOT IN (
                SELECT topic_id FROM contact_topic_preferences
                WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: to))
            """
        ).run()
        try await database.raw(
            "DELETE FROM contact_topic_preferences WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: from)"
        ).run()
        try await database.raw(
            "UPDATE topic_preference_changes SET contact_id = \(bind: to) WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: from)"
        ).run()
    }

    /// A contact's changes, newest first, at most `limit`.
    package func history(workspaceID: String, contactID: String, limit: Int = 200) async throws
        -> [TopicPreferenceChange]
    {
        try await store.database.raw(
            """
            SELECT id, contact_id, topic_id, choice, source, at FROM topic_preference_changes
            WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)
            ORDER BY at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            TopicPreferenceChange(
                id: try row.decode(column: "id", as: String.self),
                contactID: try row.decode(column: "contact_id", as: String.self),
                topicID: try row.decode(column: "topic_id", as: String.self),
                choice: TopicChoice(rawValue: try row.decode(column: "choice", as: String.self)) ?? .kept,
                source: try row.decode(column: "source", as: String.self),
                at: try row.decode(column: "at", as: Int64.self))
        }
    }

    /// Records a change: appends it to the history and makes it the contact's choice of the topic.
    package func record(_ change: TopicPreferenceChange, workspaceID: String, on database: any SQLDatabase)
        async throws
    {
        try await database.raw(
            """
            INSERT INTO topic_preference_changes (workspace_id, id, contact_id, topic_id, choice, source, at)
            VALUES (\(bind: workspaceID), \(bind: change.id), \(bind: change.contactID), \(bind: change.topicID),
                    \(bind: change.choice.rawValue), \(bind: change.source), \(bind: change.at))
            """
        ).run()
        try await database.raw(
            """
            INSERT INTO contact_topic_preferences (workspace_id, contact_id, topic_id, choice, source, changed_at)
            VALUES (\(bind: workspaceID), \(bind: change.contactID), \(bind: change.topicID),
                    \(bind: change.choice.rawValue), \(bind: change.source), \(bind: change.at))
            ON CONFLICT (workspace_id, contact_id, topic_id) DO UPDATE SET choice = excluded.choice,
                source = excluded.source, changed_at = excluded.changed_at
            """
        ).run()
    }
}

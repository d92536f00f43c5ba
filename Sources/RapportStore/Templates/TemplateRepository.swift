import Foundation
package import RapportCore
package import SQLKit

/// A workspace's email templates.
package struct TemplateRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = "workspace_id, id, name, kind, subject, html, text, version, created_at, updated_at, topic_id"

    /// The workspace's templates, newest first.
    package func all(workspaceID: String) async throws -> [StoredTemplate] {
        try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM email_templates WHERE workspace_id = \(bind: workspaceID)
            ORDER BY created_at DESC, id DESC
            """
        ).all().map(Self.template(from:))
    }

    /// A template of the workspace; nil for none.
    package func find(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws
        -> StoredTemplate?
    {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await (database ?? store.database).raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM email_templates
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased())
            """
        ).first().map(Self.template(from:))
    }

    /// Writes a new template or a new version of one (`template.version` is the version written).
    package func save(_ template: StoredTemplate, previousVersion: Int64?) async throws -> Bool {
        if let previousVersion {
            return try await store.database.raw(
                """
                UPDATE email_templates SET name = \(bind: template.name), kind = \(bind: template.kind.rawValue),
                    subject = \(bind: template.subject), html = \(bind: template.html), text = \(bind: template.text),
                    version = \(bind: template.version), updated_at = \(bind: template.updatedAt),
                    topic_id = \(bind: template.topicID)
                WHERE workspace_id = \(bind: template.workspaceID) AND id = \(bind: template.id)
                    AND version = \(bind: previousVersion)
                RETURNING id
                """
            ).first() != nil
        }
        try await store.database.raw(
            """
            INSERT INTO email_templates (\(unsafeRaw: Self.columns))
            VALUES (\(bind: template.workspaceID), \(bind: template.id), \(bind: template.name),
                    \(bind: template.kind.rawValue), \(bind: template.subject), \(bind: template.html),
                    \(bind: template.text), \(bind: template.version), \(bind: template.createdAt),
                    \(bind: template.updatedAt), \(bind: template.topicID))
            """
        ).run()
        return true
    }

    /// Deletes a template. - Returns: whether there was one.
    package func delete(workspaceID: String, id: String) async throws -> Bool {
        guard RecordID.isWellFormed(id) else { return false }
        return try await store.database.raw(
            """
            DELETE FROM email_templates WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased())
            RETURNING id
            """
        ).first() != nil
    }

    static func template(from row: any SQLRow) throws -> StoredTemplate {
        StoredTemplate(
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            kind: TemplateKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .transactional,
            subject: try row.decode(column: "subject", as: String.self),
            html: try row.decode(column: "html", as: String?.self),
            text: try row.decode(column: "text", as: String?.self),
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            topicID: try row.decode(column: "topic_id", as: String?.self))
    }
}

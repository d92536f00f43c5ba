import Foundation
package import RapportCore
import SQLKit

package struct SavedViewRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    package func list(workspaceID: String, userID: String, object: String) async throws -> [SavedView] {
        try await store.database.raw(
            """
            SELECT id, name, query FROM saved_views
            WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID) AND object = \(bind: object)
            ORDER BY name, id
            """
        ).all().map {
            SavedView(
                id: try $0.decode(column: "id", as: String.self), name: try $0.decode(column: "name", as: String.self),
                query: try $0.decode(column: "query", as: String.self))
        }
    }

    package func create(workspaceID: String, userID: String, object: String, name: String, query: String) async throws {
        try await store.database.raw(
            """
            INSERT INTO saved_views (workspace_id, id, user_id, object, name, query, created_at)
            VALUES (\(bind: workspaceID), \(bind: RecordID.make()), \(bind: userID), \(bind: object), \(bind: name),
                    \(bind: query), \(bind: Timestamp.micros(Date())))
            """
        ).run()
    }

    package func delete(workspaceID: String, userID: String, id: String) async throws {
        try await store.database.raw(
            "DELETE FROM saved_views WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID) AND id = \(bind: id)"
        ).run()
    }
}

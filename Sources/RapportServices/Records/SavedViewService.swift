import Foundation
package import RapportCore
import RapportStore

/// A user's own saved list views, per object.
package struct SavedViewService: Sendable {
    let repository: SavedViewRepository

    package init(_ services: Services) {
        self.repository = SavedViewRepository(store: services.store)
    }

    package func list(_ principal: Principal, object: String) async throws -> [SavedView] {
        try await repository.list(workspaceID: principal.workspace.id, userID: principal.user.id, object: object)
    }

    /// Saves a list's query string under a name.
    /// - Throws: `invalid` for an empty or long name, or a long query.
    package func create(_ principal: Principal, object: String, name: String, query: String) async throws {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100, query.count <= 2000 else {
            throw RapportError.invalid([FieldIssue("name", "A view needs a name of at most 100 characters.")])
        }
        try await repository.create(
            workspaceID: principal.workspace.id, userID: principal.user.id, object: object, name: name, query: query)
    }

    /// Removes one of the user's views; another user's view is left alone.
    package func delete(_ principal: Principal, id: String) async throws {
        try await repository.delete(workspaceID: principal.workspace.id, userID: principal.user.id, id: id)
    }
}

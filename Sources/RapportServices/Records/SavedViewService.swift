import Foundation
package import RapportCore
import RapportStore

/// A user's own saved list views and chosen columns, per object.
package struct SavedViewService: Sendable {
    let repository: SavedViewRepository
    let settings: UserSettingRepository

    package init(_ services: Services) {
        self.repository = SavedViewRepository(store: services.store)
        self.settings = UserSettingRepository(store: services.store)
    }

    /// The columns the user chose for an object's list (field names, `custom.KEY`), nil until they choose.
    package func columns(_ principal: Principal, object: String) async throws -> [String]? {
        try await settings.value(
            workspaceID: principal.workspace.id, userID: principal.user.id, key: "columns.\(object)"
        )
        .map { $0.split(separator: ",").map(String.init) }
    }

    /// When the user's last visit began (microseconds), nil for a first one. A visit lasts `lasting`
    /// after its start: opening the home page again within it keeps it, later starts a new one.
    package func lastVisit(_ principal: Principal, now: Int64, lasting: Int64) async throws -> Int64? {
        let keys = (visit: "home.visit", previous: "home.previous_visit")
        let (workspaceID, userID) = (principal.workspace.id, principal.user.id)
        let visit = try await settings.value(workspaceID: workspaceID, userID: userID, key: keys.visit).flatMap {
            Int64($0)
        }
        if let visit, now - visit < lasting {
            return try await settings.value(workspaceID: workspaceID, userID: userID, key: keys.previous).flatMap {
                Int64($0)
            }
        }
        try await settings.set(workspaceID: workspaceID, userID: userID, key: keys.visit, value: String(now))
        try await settings.set(
            workspaceID: workspaceID, userID: userID, key: keys.previous, value: visit.map(String.init) ?? "")
        return visit
    }

    /// Keeps the user's choice of columns for an object's list.
    /// - Throws: `invalid` for an empty choice.
    package func saveColumns(_ principal: Principal, object: String, columns: [String]) async throws {
        guard !columns.isEmpty, columns.count <= 50 else {
            throw RapportError.invalid([FieldIssue("columns", "Choose between 1 and 50 columns.")])
        }
        try await settings.set(
            workspaceID: principal.workspace.id, userID: principal.user.id, key: "columns.\(object)",
            value: columns.joined(separator: ","))
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

import Foundation
package import RapportCore
import RapportStore

/// The workspace's own roles: everyone may read them (the users page names them); owners and admins
/// change them. Built-in roles are not stored and cannot change.
package struct RoleService: Sendable {
    let services: Services
    var roles: RoleRepository { RoleRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The workspace's own roles, by name.
    package func all(_ principal: Principal) async throws -> [CustomRole] {
        try await roles.all(workspaceID: principal.workspace.id)
    }

    /// A role of the workspace.
    /// - Throws: `notFound`.
    package func get(_ principal: Principal, id: String) async throws -> CustomRole {
        guard let role = try await roles.find(workspaceID: principal.workspace.id, id: id) else {
            throw RapportError.notFound("The role")
        }
        return role
    }

    /// Creates a role from its name and rules (`Permissions.parse`).
    /// - Throws: `forbidden`, `invalid` naming each bad member, `conflict` for a taken name.
    package func create(_ principal: Principal, name: String?, permissions: JSONValue?) async throws -> CustomRole {
        try Access(principal).require(.manageRoles)
        var issues: [FieldIssue] = []
        var validName: String?
        do { validName = try CustomRole.validName(name) } catch let error as RapportError { issues += error.fields }
        var parsed: Permissions?
        do {
            parsed = try Permissions.parse(permissions, customFields: try await customFieldKeys(principal))
        } catch let error as RapportError { issues += error.fields }
        guard issues.isEmpty, let validName, let parsed else { throw RapportError.invalid(issues) }
        return try await roles.create(workspaceID: principal.workspace.id, name: validName, permissions: parsed)
    }

    /// Changes a role's name or rules (each when given).
    /// - Throws: `forbidden`, `notFound`, `invalid`, `conflict`, `stale`.
    package func update(
        _ principal: Principal, id: String, name: String?, permissions: JSONValue?, expectedVersion: Int64?
    ) async throws -> CustomRole {
        try Access(principal).require(.manageRoles)
        _ = try await get(principal, id: id)
        let validName = try name.map { try CustomRole.validName($0) }
        var parsed: Permissions?
        if let permissions {
            parsed = try Permissions.parse(permissions, customFields: try await customFieldKeys(principal))
        }
        return try await roles.update(
            workspaceID: principal.workspace.id, id: id, name: validName, permissions: parsed,
            expectedVersion: expectedVersion)
    }

    /// Deletes a role nobody holds.
    /// - Throws: `forbidden`, `notFound`, `conflict` saying how many hold it.
    package func delete(_ principal: Principal, id: String) async throws {
        try Access(principal).require(.manageRoles)
        _ = try await get(principal, id: id)
        try await roles.delete(workspaceID: principal.workspace.id, id: id)
    }

    /// Each object's custom field keys, which field rules may name.
    func customFieldKeys(_ principal: Principal) async throws -> [String: Set<String>] {
        let repository = CustomFieldRepository(store: services.store)
        var keys: [String: Set<String>] = [:]
        for type in ObjectCatalog.all {
            keys[type.name] = Set(
                try await repository.all(workspaceID: principal.workspace.id, object: type.name, on: nil).map(\.key))
        }
        return keys
    }
}

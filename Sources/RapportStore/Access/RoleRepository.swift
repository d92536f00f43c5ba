import Foundation
package import RapportCore
import RapportDatabase
package import SQLKit

/// The workspace's own roles. A role's name is unique in its workspace, whatever its case.
package struct RoleRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    private var db: any SQLDatabase { store.database }
    private static let columns = "id, workspace_id, name, permissions, version, created_at, updated_at"

    /// The workspace's roles, by name.
    package func all(workspaceID: String) async throws -> [CustomRole] {
        try await db.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM roles WHERE workspace_id = \(bind: workspaceID) ORDER BY name_key, id"
        ).all().map(Self.role(from:))
    }

    /// A role of the workspace; nil for none.
    package func find(workspaceID: String, id: String) async throws -> CustomRole? {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await db.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM roles WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first().map(Self.role(from:))
    }

    /// How many users hold the role.
    package func holders(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws -> Int {
        Int(
            try await (database ?? db).raw(
                "SELECT count(*) AS n FROM users WHERE workspace_id = \(bind: workspaceID) AND role_id = \(bind: id)"
            ).first()?.decode(column: "n", as: Int64.self) ?? 0)
    }

    /// Creates a role.
    /// - Throws: `conflict` for a taken name.
    package func create(workspaceID: String, name: String, permissions: Permissions) async throws -> CustomRole {
        let now = Timestamp.micros(Date())
        let role = CustomRole(
            id: RecordID.make(), workspaceID: workspaceID, name: name, permissions: permissions, version: 1,
            createdAt: now, updatedAt: now)
        do {
            try await db.raw(
                """
                INSERT INTO roles (workspace_id, id, name, name_key, permissions, version, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: role.id), \(bind: name), \(bind: SearchKey.normalize(name)),
                        \(bind: JSONText.encode(permissions.json)), 1, \(bind: now), \(bind: now))
                """
            ).run()
        } catch where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(name)
        }
        return role
    }

    /// Changes a role's name or rules (each when given).
    /// - Throws: `notFound`, `stale` when `expectedVersion` differs, `conflict` for a taken name.
    package func update(
        workspaceID: String, id: String, name: String?, permissions: Permissions?, expectedVersion: Int64?
    ) async throws -> CustomRole {
        defer { store.tokens.forgetAll() }  // (an authenticated token carries its user's rules)
        guard var role = try await find(workspaceID: workspaceID, id: id) else { throw RapportError.notFound("The role") }
        if let expectedVersion, expectedVersion != role.version {
            throw RapportError(.stale, "The role was changed by someone else; reload it and try again.")
        }
        let before = role
        role.name = name ?? role.name
        role.permissions = permissions ?? role.permissions
        guard role != before else { return before }
        role.version += 1
        role.updatedAt = max(Timestamp.micros(Date()), before.updatedAt + 1)
        do {
            let updated = try await db.raw(
                """
                UPDATE roles SET name = \(bind: role.name), name_key = \(bind: SearchKey.normalize(role.name)),
                    permissions = \(bind: JSONText.encode(role.permissions.json)), version = \(bind: role.version),
                    updated_at = \(bind: role.updatedAt)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND version = \(bind: before.version)
                RETURNING id
                """
            ).all()
            guard !updated.isEmpty else {
                throw RapportError(.stale, "The role was changed by someone else; reload it and try again.")
            }
        } catch where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(role.name)
        }
        return role
    }

    /// Deletes a role nobody holds.
    /// - Throws: `notFound`; `conflict` saying how many users hold it.
    package func delete(workspaceID: String, id: String) async throws {
        try await store.transaction { database in
            let holders = try await holders(workspaceID: workspaceID, id: id, on: database)
            if holders > 0 {
                throw RapportError(
                    .conflict,
                    "\(holders) \(holders == 1 ? "user holds" : "users hold") this role; give them another role first.",
                    extras: ["holders": String(holders)])
            }
            let deleted = try await database.raw(
                "DELETE FROM roles WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id"
            ).all()
            if deleted.isEmpty { throw RapportError.notFound("The role") }
        }
    }

    static func nameTaken(_ name: String) -> RapportError {
        RapportError(
            .conflict, "A role named \(name) already exists.",
            fields: [FieldIssue("name", key: "role_name_taken", "Another role has this name.")])
    }

    static func role(from row: any SQLRow) throws -> CustomRole {
        CustomRole(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            permissions: Permissions.stored(try row.decode(column: "permissions", as: String.self)),
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

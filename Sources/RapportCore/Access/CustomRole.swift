import Foundation

/// A role a workspace defines for itself: a name and its rules, object by object.
package struct CustomRole: Sendable, Equatable {
    /// A role as a user carries it: enough to name it.
    package struct Reference: Sendable, Equatable {
        package var id: String
        package var name: String

        package init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    package var id: String
    package var workspaceID: String
    package var name: String
    package var permissions: Permissions
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64

    package init(
        id: String, workspaceID: String, name: String, permissions: Permissions, version: Int64, createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.permissions = permissions
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A role's name, trimmed: 1 to 100 characters, none of them the built-in roles' names.
    /// - Throws: `invalid` naming `name`.
    package static func validName(_ name: String?) throws -> String {
        let trimmed = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 100 {
            throw RapportError.invalid([FieldIssue("name", key: "role_name", "A role's name must be 1 to 100 characters.")])
        }
        if Role(rawValue: trimmed.lowercased()) != nil {
            throw RapportError.invalid([
                FieldIssue("name", key: "role_name_builtin", "Owner, admin and member are the built-in roles' names.")
            ])
        }
        return trimmed
    }
}

/// What a user may do in their workspace.
package enum Role: String, Sendable, Codable, CaseIterable {
    case owner, admin, member

    /// Owners and admins manage users and workspace settings.
    package var managesUsers: Bool { self != .member }

    /// Whether a user of this role may give another user `role`: only an owner makes owners.
    package func mayGrant(_ role: Role) -> Bool {
        switch self {
        case .owner: true
        case .admin: role != .owner
        case .member: false
        }
    }
}

package import RapportCore

/// Who may do what in a workspace: the one place every service, page and route asks before it lets a
/// user act. Today it decides by role (owners and admins manage users and custom fields and read the
/// audit log; only an owner makes another owner); record visibility by team and owner joins it next.
package struct Access: Sendable {
    /// Something a user may or may not do.
    package enum Action: Sendable, Equatable {
        case seeUsers
        case manageUsers
        case grant(Role)
        case manageCustomFields
        case readAudit
        /// Reading a workspace's records (and what is suggested about them, such as duplicates).
        case readRecords
        /// Changing records, and what is remembered about them (a pair that is not a duplicate).
        case editRecords
    }

    package let user: User

    package init(_ user: User) {
        self.user = user
    }

    package init(_ principal: Principal) {
        self.user = principal.user
    }

    /// Whether the user may do `action`.
    package func allows(_ action: Action) -> Bool {
        switch action {
        case .seeUsers, .manageUsers, .manageCustomFields, .readAudit: user.role.managesUsers
        case .grant(let role): user.role.mayGrant(role)
        // Every role today; a read-only role and record visibility decide here when they come.
        case .readRecords, .editRecords: true
        }
    }

    /// Passes when the user may do `action`.
    /// - Throws: `forbidden`, saying who may.
    package func require(_ action: Action) throws {
        guard !allows(action) else { return }
        throw RapportError(.forbidden, Self.refusal(action))
    }

    /// Why an action is refused, as the user reads it.
    static func refusal(_ action: Action) -> String {
        switch action {
        case .seeUsers: "Only owners and admins see users."
        case .manageUsers: "Only owners and admins manage users."
        case .grant: "Only an owner can make another user an owner."
        case .manageCustomFields: "Only owners and admins change custom fields."
        case .readAudit: "Only owners and admins read the audit log."
        case .readRecords: "Only members of the workspace read its records."
        case .editRecords: "Only users who may edit records change them."
        }
    }
}

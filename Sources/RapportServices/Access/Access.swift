package import RapportCore

/// Who may do what in a workspace: the one place every service, page and route asks before it lets a
/// user act. Today it decides by role (owners and admins manage users and custom fields and read the
/// audit log; only an owner makes another owner). What a user may do with records is their role's
/// `Permissions`, which `Viewer` applies to every record service call.
package struct Access: Sendable {
    /// Something a user may or may not do.
    package enum Action: Sendable, Equatable {
        case seeUsers
        case manageUsers
        case grant(Role)
        case manageCustomFields
        /// Making, changing and deleting teams.
        case manageTeams
        /// Making, changing and deleting the workspace's own roles.
        case manageRoles
        /// Making, changing and deleting pipelines and their stages.
        case managePipelines
        /// Changing the workspace's sender settings, email templates and frequency policy.
        case manageEmail
        /// Making, sending, scheduling and cancelling campaigns, and choosing an A/B test's winner.
        case manageCampaigns
        /// Changing the workspace's own settings (its time zone).
        case manageWorkspace
        case readAudit
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
        case .seeUsers, .manageUsers, .manageCustomFields, .manageTeams, .manageRoles, .managePipelines, .manageEmail,
            .manageCampaigns, .manageWorkspace, .readAudit:
            user.role.managesUsers
        case .grant(let role): user.role.mayGrant(role)
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
        case .manageTeams: "Only owners and admins change teams."
        case .manageRoles: "Only owners and admins change roles."
        case .managePipelines: "Only owners and admins change pipelines."
        case .manageEmail: "Only owners and admins change email settings and templates."
        case .manageCampaigns: "Only owners and admins make and send campaigns."
        case .manageWorkspace: "Only owners and admins change the workspace's settings."
        case .readAudit: "Only owners and admins read the audit log."
        }
    }
}

/// The records one user reaches for one action on one object: the condition the store adds to every
/// query of that object (`SQLFragments.visible`), so a record outside it is neither read nor changed.
package struct RecordScope: Sendable, Equatable {
    package var workspaceID: String
    package var visibility: Visibility
    /// Whose `own` and `team` are meant; nil only with `all`.
    package var userID: String?
    /// The user's teams and teammates when already known (read when the request was authenticated): the
    /// store then names them instead of looking them up in every statement. Nil: the store looks them up.
    package var team: TeamFacts?

    package init(workspaceID: String, visibility: Visibility, userID: String?, team: TeamFacts? = nil) {
        self.workspaceID = workspaceID
        self.visibility = userID == nil ? .all : visibility
        self.userID = userID
        self.team = team
    }

    /// Every record of the workspace (the system's view: the command line, jobs, migrations).
    package static func all(_ workspaceID: String) -> RecordScope {
        RecordScope(workspaceID: workspaceID, visibility: .all, userID: nil)
    }

    /// Whether the scope reaches every record of the workspace.
    package var isAll: Bool { visibility == .all }

    /// Whether a record with this owner and team is inside the scope, for a user in `teams` whose
    /// teammates (members of any of those teams, the user included) are `teammates`. The store's SQL
    /// condition says the same; a test holds the two together.
    package func includes(owner: String?, team: String?, teams: Set<String>, teammates: Set<String>) -> Bool {
        switch visibility {
        case .all: return true
        case .own: return owner != nil && owner == userID
        case .team:
            if let owner, owner == userID || teammates.contains(owner) { return true }
            if let team, teams.contains(team) { return true }
            return false
        }
    }
}

/// Who a request acts for: a user in a workspace, through a token or a session.
package struct Principal: Sendable, Equatable {
    package var user: User
    package var workspace: Workspace
    /// The token used, when the request came through the API.
    package var tokenID: String?
    /// The user's teams and teammates, read with the user when their role sees by team; else nil.
    package var team: TeamFacts?

    package init(user: User, workspace: Workspace, tokenID: String? = nil, team: TeamFacts? = nil) {
        self.user = user
        self.workspace = workspace
        self.tokenID = tokenID
        self.team = team
    }
}

/// Who a request acts for: a user in a workspace, through a token or a session.
package struct Principal: Sendable, Equatable {
    package var user: User
    package var workspace: Workspace
    /// The token used, when the request came through the API.
    package var tokenID: String?

    package init(user: User, workspace: Workspace, tokenID: String? = nil) {
        self.user = user
        self.workspace = workspace
        self.tokenID = tokenID
    }
}

import Foundation

/// What a web session remembers: who signed in. The user is re-read on every request, so a changed
/// role or a deleted user takes effect at once.
package struct WebSession: Codable, Sendable, Equatable {
    package var userID: String
    package var workspaceID: String

    package init(userID: String, workspaceID: String) {
        self.userID = userID
        self.workspaceID = workspaceID
    }
}

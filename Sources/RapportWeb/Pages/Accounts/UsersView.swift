/// The workspace's users and the form that adds one (the password is never shown again).
struct UsersView: PageContent {
    static let template = "users"

    struct Row {
        let name: String
        let email: String
        let role: String
        let language: String
        let active: Bool
        /// The roles the viewer may give this user; empty when they may not change it.
        let roles: [Option]
        /// Whether the viewer may change this user's role and status (not their own; an owner only by an owner).
        let manageable: Bool
        let rolePath: String
        let statusPath: String
    }

    /// What was typed into the form, kept when it is shown again with errors.
    struct Typed {
        let email: String?
        let name: String?
    }

    let users: [Row]
    let roles: [Option]
    let form: Typed
    let errors: [String: String]
    let created: Bool
}

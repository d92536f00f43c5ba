/// The question before something of the workspace's settings is deleted (a team, a role), with what
/// follows from it, and why it cannot be when it cannot (users hold a role).
struct ConfirmDeleteView: PageContent {
    static let template = "confirm_delete"
    let question: String
    let name: String
    let consequence: String?
    let path: String
    let cancel: String
    let error: String?
}

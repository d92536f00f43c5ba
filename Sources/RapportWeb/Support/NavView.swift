/// The top bar of a signed-in page: who is signed in, where, and which section is open.
struct NavView {
    /// One object's entry (`Contacts`, `Companies`, `Products`).
    struct Entry {
        let path: String
        let label: String
        let current: Bool
    }

    let name: String
    let email: String
    let workspace: String
    let role: String
    let managesUsers: Bool
    let objects: [Entry]
    /// The open section, for `{{#current.users}}`.
    let current: [String: Bool]
    /// The bell: how many notifications are unread (nil for none), and what a screen reader says of it.
    let unread: String?
    let bellLabel: String
}

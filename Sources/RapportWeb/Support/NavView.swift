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
    /// The less used objects (products, orders), in the "More" menu.
    let more: [Entry]
    /// Whether the open page is one of those under "More".
    let inMore: Bool
    /// The settings' pages (the profile, tokens, users, custom fields, teams, roles: those the user may
    /// open), shown as tabs above a settings page; the top bar has one entry for them all.
    let settings: [Entry]
    /// Whether the open page is one of the settings.
    let inSettings: Bool
    /// The open section, for `{{#current.users}}`.
    let current: [String: Bool]
    /// The bell: how many notifications are unread (nil for none), and what a screen reader says of it.
    let unread: String?
    let bellLabel: String
}

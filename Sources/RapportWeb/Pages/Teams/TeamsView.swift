/// The workspace's teams, each with its lead and members (taken out and added here by owners and
/// admins), and the form that makes one.
struct TeamsView: PageContent {
    static let template = "teams"

    /// A member as a team's row shows them: a chip, with a button that takes them out for managers.
    struct Member {
        let name: String
        let lead: Bool
        let removePath: String?
    }

    struct Row {
        let name: String
        let lead: String?
        let members: [Member]
        let hasMembers: Bool
        /// "3 members".
        let memberCount: String
        /// Where a manager adds a member (nil for others, or when everyone is in it already).
        let addPath: String?
        let addChoices: [Option]
        let editPath: String?
        let deletePath: String?
    }

    /// A user's box in the members' list of a form.
    struct Choice {
        let id: String
        let name: String
        let checked: Bool
    }

    let rows: [Row]
    let hasRows: Bool
    /// Whether the viewer may change teams (else the page only reads).
    let canManage: Bool
    let name: String
    let leads: [Option]
    let members: [Choice]
    let errors: [String: String]
    /// A message about an action on one team's row (adding a member failed).
    let alert: String?
}

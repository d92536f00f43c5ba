/// The form that renames a team and chooses its lead and members.
struct TeamEditView: PageContent {
    static let template = "team_edit"
    /// The team's name as stored (the heading), while the field holds what was typed.
    let heading: String
    let name: String
    let leads: [Option]
    let members: [TeamsView.Choice]
    /// The version the form was read at: a change by someone else since is reported, not overwritten.
    let version: Int64
    let action: String
    let deletePath: String
    let errors: [String: String]
    let formError: String?
}

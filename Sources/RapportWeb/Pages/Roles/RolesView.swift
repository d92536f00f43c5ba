/// The built-in roles and the workspace's own, each with what it allows on every object and how many
/// users hold it; links to change or delete the workspace's own for those who may.
struct RolesView: PageContent {
    static let template = "roles"

    /// What a role allows on one object.
    struct Cell {
        let label: String
        let text: String
    }

    struct Row {
        let name: String
        let builtIn: Bool
        let cells: [Cell]
        /// "3 users" (for those who see users).
        let holders: String?
        let editPath: String?
        let deletePath: String?
    }

    /// The objects' names, the table's columns.
    let objects: [String]
    let builtIn: [Row]
    let custom: [Row]
    let hasCustom: Bool
    let canManage: Bool
    let showHolders: Bool
}

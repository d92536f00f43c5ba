/// The workspace's pipelines, each with its stages in a form that renames, re-weighs, reorders, adds
/// and removes them (for owners and admins; others read them).
struct PipelinesView: PageContent {
    static let template = "pipelines"

    struct Row {
        let index: Int
        let id: String
        let name: String
        let probability: String
        let kinds: [Option]
        let position: String
        let isNew: Bool
    }

    struct Card {
        let id: String
        let name: String
        let currency: String
        let action: String
        let rows: [Row]
        /// The stages the deals of removed stages may go to.
        let targets: [Option]
        let errors: [String]
        let hasErrors: Bool
    }

    let canManage: Bool
    let pipelines: [Card]
    let createAction: String
    let createError: String?
}

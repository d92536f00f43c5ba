/// The search page: what was asked and what was found, of every object.
struct SearchView: PageContent {
    static let template = "search"

    struct Row {
        let name: String
        let path: String
        /// The object, as the user reads it ("Contact").
        let kind: String
        let email: String?
        let company: String?
    }

    let q: String
    let rows: [Row]
    let hasRows: Bool
    let searched: Bool
}

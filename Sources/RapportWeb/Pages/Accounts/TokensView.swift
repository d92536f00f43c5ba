/// The user's API tokens, and the secret of the one just made.
struct TokensView: PageContent {
    static let template = "tokens"

    struct Row {
        let name: String
        let createdAt: String
        let createdDisplay: String
        let lastUsedAt: String?
        let lastUsedDisplay: String?
        let used: Bool
        let revokePath: String
    }

    /// A token made just now: its secret is shown this once.
    struct Created {
        let name: String
        let secret: String
    }

    let tokens: [Row]
    let hasTokens: Bool
    let created: Created?
    let errors: [String: String]
}

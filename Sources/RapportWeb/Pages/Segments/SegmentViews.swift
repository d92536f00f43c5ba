/// Marketing → Segments: the workspace's saved segments, each with how many contacts it has now.
struct SegmentsView: PageContent {
    static let template = "segments/index"

    struct Row {
        let name: String
        let path: String
        let query: String
        /// "12 contacts", or why it cannot be counted now.
        let count: String
        let broken: Bool
    }

    let rows: [Row]
    let hasRows: Bool
    let newPath: String
}

/// A segment's editor: its name, its query (checked and counted as it is typed), the first members.
struct SegmentEditView: PageContent {
    static let template = "segments/edit"

    /// A problem with the query, where it is.
    struct Issue {
        let line: Int
        let column: Int
        let at: String
        let message: String
    }

    struct Member {
        let title: String
        let path: String
        let subtitle: String?
    }

    let heading: String
    let action: String
    let name: String
    let query: String
    let nameError: String?
    let issues: [Issue]
    let hasIssues: Bool
    /// "12 contacts" for a query that works, nil otherwise.
    let count: String?
    let members: [Member]
    let hasMembers: Bool
    let previewPath: String
    /// The list of contacts filtered by the saved segment, and its delete form; nil for a new one.
    let contactsPath: String?
    let deletePath: String?
    let canManage: Bool
    let examples: [String]
}

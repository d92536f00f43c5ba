/// Merging another record into this one: find it, compare the fields, choose where they differ.
struct RecordMergeView: PageContent {
    static let template = "records/merge"

    struct Other {
        let id: String
        let otherTitle: String
    }

    /// A field of both records: a choice where both have different values; lists are united.
    struct Row {
        let field: String
        let label: String
        let this: String
        let other: String
        let choice: Bool
        let united: Bool
    }

    let recordTitle: String
    let path: String
    let otherText: String
    let otherRecord: Other?
    let rows: [Row]
    let error: String?
}

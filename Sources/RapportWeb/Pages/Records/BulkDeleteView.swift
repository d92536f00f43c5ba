/// The question before the chosen records are deleted: the checked ones, or every record the list matches.
struct BulkDeleteView: PageContent {
    static let template = "records/bulk_delete"
    let base: String
    let ids: [String]
    /// Every record the list's query matches, rather than `ids`.
    let all: Bool
    /// The list's query string, to come back to.
    let query: String
    /// "Delete 37 records for good?"
    let question: String
}

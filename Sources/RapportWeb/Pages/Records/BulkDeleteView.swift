/// The question before the checked records are deleted.
struct BulkDeleteView: PageContent {
    static let template = "records/bulk_delete"
    let base: String
    let ids: [String]
    let count: Int
}

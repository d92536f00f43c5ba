/// The question before a record is deleted.
struct RecordDeleteView: PageContent {
    static let template = "records/delete"
    let recordTitle: String
    let path: String
}

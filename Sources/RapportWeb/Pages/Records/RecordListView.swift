/// An object's list: saved views, filters, sort, a page of rows with bulk actions, and paging.
struct RecordListView: PageContent {
    static let template = "records/index"

    struct Row {
        let id: String
        let path: String
        let title: String
        let cells: [RecordCell]
    }

    /// One filter of the filter bar: a select of options, or a text box.
    struct Filter {
        let name: String
        let label: String
        var options: [Option] = []
        var text = false
        var country = false
        var value: String?
    }

    struct SavedViewLink {
        let name: String
        let path: String
        let delete: String
    }

    struct Column {
        let label: String
    }

    struct User {
        let id: String
        let name: String
    }

    let heading: String
    let newLabel: String
    let base: String
    let rows: [Row]
    let hasRows: Bool
    let error: String?
    let filters: [Filter]
    let columns: [Column]
    let sorts: [Option]
    let next: String?
    let first: String?
    /// The list's query string, kept by "save view".
    let currentQuery: String
    let hasViews: Bool
    let views: [SavedViewLink]
    let bulkPath: String
    let users: [User]
}

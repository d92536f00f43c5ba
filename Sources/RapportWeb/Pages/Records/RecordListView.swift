/// An object's list: a search box, a filter panel with the active filters as chips, a column chooser,
/// saved views, a page of rows sortable by their headers with bulk actions on the checked ones (or on
/// every match), and paging with the position among all matches.
struct RecordListView: PageContent {
    static let template = "records/index"

    struct Row {
        let id: String
        let path: String
        let title: String
        let cells: [RecordCell]
    }

    /// A column's header: a link that sorts by it (again to reverse) when it can be sorted by.
    struct Column {
        let label: String
        let sortPath: String?
        /// `ascending` or `descending` when the list is sorted by it, for `aria-sort`.
        let sorted: String?
    }

    /// One filter of the filter panel: a select of options, a text box, or a range of two dates.
    struct Filter {
        let name: String
        let label: String
        var options: [Option] = []
        var text = false
        var country = false
        var value: String?
        /// A range: `name[gte]` and `name[lte]`.
        var range = false
        var from: String?
        var to: String?
        /// The input type of a range or text box (`date`, `number`).
        var type: String?
    }

    /// An active filter, shown above the list with a link that removes it.
    struct Chip {
        let label: String
        let value: String
        let removePath: String
    }

    /// A column the chooser offers.
    struct ColumnChoice {
        let name: String
        let label: String
        let checked: Bool
    }

    struct SavedViewLink {
        let name: String
        let path: String
        let delete: String
    }

    struct User {
        let id: String
        let name: String
    }

    let heading: String
    let newLabel: String
    let base: String
    /// The export of what the list shows now (its filters and search words).
    let exportPath: String
    /// The workspace's possible duplicates of this object; nil for an object without duplicate rules.
    let duplicatesPath: String?
    let q: String?
    let rows: [Row]
    let hasRows: Bool
    let error: String?
    /// "1,234 contacts".
    let total: String
    /// How many records match, as a number, for the "select all matching" choice.
    let totalCount: Int
    /// "51–100 of 1,234".
    let position: String?
    let filters: [Filter]
    /// How many filters are on, as the page writes numbers; nil for none.
    let activeFilters: String?
    let chips: [Chip]
    let hasChips: Bool
    let clearPath: String?
    let columns: [Column]
    let nameColumn: Column
    let choices: [ColumnChoice]
    let columnsPath: String
    let sorts: [Option]
    let next: String?
    let previous: String?
    /// The list's query string without paging, kept by "save view", the column chooser and bulk actions.
    let currentQuery: String
    /// The current sort, kept by the search box and the filter panel.
    let sort: String
    /// The chosen columns as the `columns` parameter, kept by the search box and the filter panel.
    let columnsParameter: String?
    let hasViews: Bool
    let views: [SavedViewLink]
    let bulkPath: String
    let users: [User]
    /// Whether "select all matching" is worth offering (more match than this page shows).
    let moreThanPage: Bool
    /// Which bulk actions the object takes and the viewer's role allows.
    let canTag: Bool
    let canAssign: Bool
    let canDelete: Bool
    /// Whether any bulk action is left (the bar is left out otherwise).
    let hasBulk: Bool
    /// "All", "My records", "My team's" (none for an object whose records have no owners).
    let quickFilters: [QuickFilter]
    let hasQuickFilters: Bool
    /// The quick filter on (`own`, `team`), kept by the search box and the filter panel.
    let scope: String?
    /// Whether the role allows making, importing and exporting records of the object.
    var canCreate = true
    var canImport = true
    var canExport = true
}

extension RecordListView {
    /// A quick filter's link; `hint` says which records it shows.
    struct QuickFilter {
        let label: String
        let hint: String?
        let path: String
        let current: Bool
    }
}

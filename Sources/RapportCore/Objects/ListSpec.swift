import Foundation

/// How a list page of the object looks.
package struct ListSpec: Sendable {
    /// Columns after the title, by field name.
    package var columns: [String]
    /// The sorts offered: a field name (`-` first for descending) and the message key of its label.
    package var sorts: [(value: String, label: String)]
    /// The fields the filter bar offers.
    package var filters: [String]

    package init(columns: [String], sorts: [(value: String, label: String)], filters: [String]) {
        self.columns = columns
        self.sorts = sorts
        self.filters = filters
    }
}

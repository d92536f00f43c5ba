import Foundation

/// The events column that ties an event to a record of the object.
package struct TimelineLink: Sendable {
    /// `contact_id` or `company_id`.
    package var column: String
    /// Record fields copied into other event columns when an activity is logged (a contact's company).
    package var also: [(field: String, column: String)] = []

    package init(column: String, also: [(field: String, column: String)] = []) {
        self.column = column
        self.also = also
    }
}

/// What a suggested duplicate shows: one reason, its value set apart (`Same email: ` + the address), so a
/// left-to-right value keeps its direction in a right-to-left sentence.
struct DuplicateReasonView {
    let before: String
    let value: String
    let after: String
    /// Whether the value is written left to right whatever the page's direction (an address, a number).
    let ltr: Bool
}

/// A record as a duplicate suggestion shows it.
struct DuplicateSideView {
    let title: String
    /// Its subtitle (a contact's job title, a company's domain), when it has one.
    let sideNote: String?
    let recordPath: String
}

/// A possible duplicate on a record's page, or a pair on the workspace's list: the other record (or
/// both), why, "Merge" and "Not a duplicate".
struct DuplicateItemView {
    let first: DuplicateSideView?
    let second: DuplicateSideView
    let reasons: [DuplicateReasonView]
    let mergePath: String
    let dismissPath: String
}

/// The workspace's possible duplicates of one object, a page of pairs at a time.
struct DuplicatesView: PageContent {
    static let template = "duplicates/index"

    let heading: String
    let listPath: String
    /// The object's list's name (`Contacts`), the link back to it.
    let listLabel: String
    let pairs: [DuplicateItemView]
    let hasPairs: Bool
    /// Where "Not a duplicate" returns to: this page.
    let back: String
    let firstPage: String?
    let nextPage: String?
}

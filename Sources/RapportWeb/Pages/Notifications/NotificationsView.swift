/// The signed-in user's notifications, newest first: all or only the unread ones, a page at a time, each
/// leading to its record, with a button that marks every one read.
struct NotificationsView: PageContent {
    static let template = "notifications"

    /// One notification as a sentence: the names in it (who, which record) isolated from the words.
    struct Item {
        struct Part {
            let text: String
            /// A name of a person or record, isolated (`<bdi>`) so that its direction cannot reorder the sentence.
            let name: Bool
        }

        let parts: [Part]
        /// Opens the notification (marking it read) and leads to its record; nil for one about no record.
        let path: String?
        let unread: Bool
        let when: RecordView.When
        /// The form that marks this one read, while it is unread.
        let readPath: String
        let id: String
    }

    struct Tab {
        let label: String
        let path: String
        let current: Bool
    }

    let items: [Item]
    let hasItems: Bool
    let tabs: [Tab]
    /// Where the list goes on: older notifications, and back to the newest.
    let older: String?
    let newest: String?
    /// Whether any notification is unread (the "Mark all as read" button shows then).
    let hasUnread: Bool
    let readPath: String
    /// The page to come back to after marking (this tab).
    let back: String
    let empty: String
}

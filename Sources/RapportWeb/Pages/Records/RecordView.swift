/// A record's page: its fields, links to what it points to, the records that point to it, its possible
/// duplicates, its history (for those who may read the audit log), and its timeline with the composer that logs an activity.
struct RecordView: PageContent {
    static let template = "records/show"

    /// A link to a record this one points to ("Company: Nordlys ApS").
    struct Link {
        let label: String
        let name: String
        let path: String
    }

    /// Records of another object that point here (a company's contacts).
    struct Related {
        struct Row {
            let title: String
            let path: String
            let subtitle: String?
        }

        /// A record that names this one in its lines (a product's deal or order): when, how many of it and
        /// what those lines come to.
        struct LineRow {
            let title: String
            let path: String
            let date: String
            let quantity: String
            let amount: String
        }

        let heading: String
        let empty: String
        let rows: [Row]
        let hasRows: Bool
        /// Set for records that name this one in their lines: a table instead of a list.
        var lines: LineTable?
    }

    /// The headings and rows of a table of records that name this one in their lines.
    struct LineTable {
        let recordLabel: String
        let dateLabel: String
        let rows: [Related.LineRow]
    }

    /// When something happened: how long ago, the exact time on hover, and the machine-readable time.
    struct When {
        let relative: String
        let exact: String
        let datetime: String
    }

    struct Event {
        /// The event's type as the user reads it.
        let type: String
        /// Its type as stored, for the entry's class.
        let kind: String
        let when: When
        /// Who did it: a user, a user through the API, an import, Rapport.
        let actor: String?
        let body: String?
        let minutes: String?
        let changes: [String]
        let hasChanges: Bool
        /// The record it happened to, when another one (a contact's, on its company's page).
        let person: String?
        let personPath: String?
    }

    /// One of the timeline's filters by kind of entry.
    struct Tab {
        let label: String
        let path: String
        let current: Bool
    }

    /// One audit entry: who changed what, from what to what, when.
    struct AuditRow {
        let actor: String
        let action: String
        let when: When
        let changes: [String]
    }

    /// What a customer bought (a contact's or company's page): the last order, the number of orders,
    /// the money spent per currency and the products, most bought first.
    struct Purchases {
        struct Product {
            let name: String
            let path: String
            let orders: String
        }

        let hasOrders: Bool
        let last: When?
        let orderCount: String
        let spent: [String]
        let products: [Product]
    }

    /// A contact's email consent: its state, how it came to be, the history, and a form for those who may
    /// change the contact.
    struct ConsentPanel {
        struct Change {
            let state: String
            let source: String
            let note: String?
            let when: When
        }

        let state: String
        let stateClass: String
        let source: String?
        let changed: When?
        let history: [Change]
        let hasHistory: Bool
        /// Where the form posts; nil for a viewer who may not change the contact.
        let action: String?
        let states: [Option]
        let sources: [Option]
        /// The workspace's email topics and whether the contact keeps each (preference centre).
        var topics: [Option] = []
        var hasTopics = false
    }

    /// Following the record: whether the viewer does, where to change it, and how many people do.
    struct Follow {
        let following: Bool
        let path: String
        let followers: String?
    }

    let details: [RecordCell]
    let links: [Link]
    let related: [Related]
    let hasTimeline: Bool
    let tabs: [Tab]
    let events: [Event]
    let hasEvents: Bool
    /// The next, older page of the timeline.
    let older: String?
    let path: String
    /// The record's version, which a field edited in place is saved against.
    let version: Int64
    let activityTypes: [Option]
    let composerErrors: [String: String]
    let base: String
    /// The audit history, for owners and admins; nil for others.
    let history: [AuditRow]?
    let hasHistory: Bool
    let follow: Follow
    /// Possible duplicates of the record, with why, "Merge" and "Not a duplicate" (`DuplicatePages.panel`).
    let duplicates: [DuplicateItemView]
    let hasDuplicates: Bool
    /// The workspace's list of possible duplicates of this object; nil for an object without duplicate rules.
    let duplicatesPath: String?
    /// The purchases panel, on the pages of customers (contacts, companies) for viewers who may read orders.
    var purchases: Purchases? = nil
    /// Where the composer's mention suggestions come from (the users a user field picks from); nil for none.
    var mentionSource: String? = nil
    /// What the viewer's role allows on the object (the buttons for the rest are left out).
    var canEdit = true
    var canMerge = true
    var canDelete = true
    /// The Tasks panel (open tasks and a form that adds one), on the records tasks are about.
    var tasks: TaskPanelView? = nil
    /// The consent panel (contacts).
    var consent: ConsentPanel? = nil
    /// The contact's emails: the latest, why any waits, and where they stand against the frequency policy.
    var emails: ContactEmailsView? = nil
}

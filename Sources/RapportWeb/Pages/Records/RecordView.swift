/// A record's page: its fields, links to what it points to, the records that point to it, and its
/// timeline with the composer that logs an activity.
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

        let heading: String
        let empty: String
        let rows: [Row]
        let hasRows: Bool
    }

    struct Event {
        /// The event's type as the user reads it.
        let type: String
        /// Its type as stored, for the entry's class.
        let kind: String
        let when: String
        let body: String?
        let minutes: Int?
        let changes: [String]
        let hasChanges: Bool
        /// The record it happened to, when another one (a contact's, on its company's page).
        let person: String?
        let personPath: String?
    }

    let details: [RecordCell]
    let links: [Link]
    let related: [Related]
    let hasTimeline: Bool
    let events: [Event]
    let hasEvents: Bool
    let path: String
    let activityTypes: [Option]
    let composerErrors: [String: String]
    let base: String
}

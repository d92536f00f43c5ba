/// What a notification is about. An open set: later features add theirs (`reminder`, `score_threshold`,
/// `sla_breach`, `defect_alert`) without changing the ones here.
package struct NotificationKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    package var rawValue: String

    package init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Someone wrote `@name` in a note or activity on a record.
    package static let mention = NotificationKind(rawValue: "mention")
    /// Someone changed fields of a record the recipient follows.
    package static let recordChanged = NotificationKind(rawValue: "record_changed")
    /// Someone logged a note, call, meeting or email on a record the recipient follows.
    package static let activityAdded = NotificationKind(rawValue: "activity_added")
    /// A record's owner changed: the new owner hears of it, and so do its followers.
    package static let ownerChanged = NotificationKind(rawValue: "owner_changed")
    /// A task assigned to the recipient is due (or its reminder time came); sent by Rapport itself.
    package static let reminder = NotificationKind(rawValue: "reminder")

    package var description: String { rawValue }
}

/// One message to one user about something that happened, usually to a record they may see. Named
/// `UserNotification` rather than `Notification` so that it never clashes with Foundation's type in the
/// many files that import both.
package struct UserNotification: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    /// The user it is for.
    package var recipientID: String
    package var kind: NotificationKind
    /// The singular record type (`contact`), with `recordID`; nil for a notification about no record.
    package var recordType: String?
    package var recordID: String?
    /// The user who did it; nil for Rapport itself (a reminder, an SLA breach).
    package var actorID: String?
    /// A short summary in English, safe to show the recipient ("Ana Lopes changed Email and Job title on
    /// Oksana Petrenko"): the API's text, and what a page shows when it cannot say it in the reader's language.
    package var text: String
    /// What the text was made from, so that a page can say it in the reader's language: `title` (of the
    /// record), `fields` and `labels` (the changed fields and their English labels), `activity` (its type),
    /// `owner` (true when the recipient became the owner).
    package var data: [String: JSONValue]
    package var createdAt: Int64
    /// When the recipient marked it read; nil while unread.
    package var readAt: Int64?

    package init(
        id: String = RecordID.make(), workspaceID: String, recipientID: String, kind: NotificationKind,
        recordType: String?, recordID: String?, actorID: String?, text: String, data: [String: JSONValue] = [:],
        createdAt: Int64, readAt: Int64? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.recipientID = recipientID
        self.kind = kind
        self.recordType = recordType
        self.recordID = recordID
        self.actorID = actorID
        self.text = text
        self.data = data
        self.createdAt = createdAt
        self.readAt = readAt
    }

    package var isRead: Bool { readAt != nil }
}

import RapportCore
import RapportHTTP

/// A notification as the API shows it to its recipient.
struct NotificationBody: Encodable, Sendable {
    var id: String
    var kind: String
    @Nullable var recordType: String?
    @Nullable var recordID: String?
    @Nullable var actorID: String?
    var text: String
    var createdAt: String
    @Nullable var readAt: String?

    init(_ notification: UserNotification) {
        id = notification.id
        kind = notification.kind.rawValue
        recordType = notification.recordType
        recordID = notification.recordID
        actorID = notification.actorID
        text = notification.text
        createdAt = Timestamp.rfc3339(notification.createdAt)
        readAt = notification.readAt.map(Timestamp.rfc3339)
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, text
        case recordType = "record_type"
        case recordID = "record_id"
        case actorID = "actor_id"
        case createdAt = "created_at"
        case readAt = "read_at"
    }
}

/// `{"count": n}`: how many notifications are unread.
struct UnreadCountBody: Encodable, Sendable {
    var count: Int
}

/// `{"updated": n}`: how many notifications were marked read.
struct MarkedReadBody: Encodable, Sendable {
    var updated: Int
}

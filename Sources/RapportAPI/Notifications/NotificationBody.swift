import RapportCore

/// A notification as the API shows it to its recipient.
struct NotificationBody: Encodable, Sendable {
    var id: String
    var kind: String
    var recordType: String?
    var recordID: String?
    var actorID: String?
    var text: String
    var createdAt: String
    var readAt: String?

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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(recordType, forKey: .recordType)
        try container.encode(recordID, forKey: .recordID)
        try container.encode(actorID, forKey: .actorID)
        try container.encode(text, forKey: .text)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(readAt, forKey: .readAt)
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

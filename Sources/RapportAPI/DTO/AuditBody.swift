import RapportCore

/// An audit entry as the API shows it.
struct AuditBody: Encodable, Sendable {
    let entry: AuditEntry

    enum CodingKeys: String, CodingKey {
        case id, action, actor, changes, at
        case recordType = "record_type"
        case recordID = "record_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.id, forKey: .id)
        try container.encode(entry.recordType, forKey: .recordType)
        try container.encode(entry.recordID, forKey: .recordID)
        try container.encode(entry.action, forKey: .action)
        try container.encode(entry.actor, forKey: .actor)
        try container.encode(entry.changes, forKey: .changes)
        try container.encode(Timestamp.rfc3339(entry.at), forKey: .at)
    }
}

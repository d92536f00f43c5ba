import RapportCore
import RapportHTTP
import RapportServices

/// A timeline event.
struct EventBody: Encodable, Sendable {
    let event: TimelineEvent

    enum CodingKeys: String, CodingKey {
        case id, type, actor, data
        case occurredAt = "occurred_at"
        case contactID = "contact_id"
        case companyID = "company_id"
        case dealID = "deal_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event.id, forKey: .id)
        try container.encode(event.type, forKey: .type)
        try container.encode(Timestamp.rfc3339(event.occurredAt), forKey: .occurredAt)
        try container.encode(event.actor, forKey: .actor)
        try container.encode(event.contactID, forKey: .contactID)
        try container.encode(event.companyID, forKey: .companyID)
        try container.encode(event.dealID, forKey: .dealID)
        try container.encode(IntegerPreservingJSON(value: .object(event.data)), forKey: .data)
    }
}

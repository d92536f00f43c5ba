import RapportCore
import RapportHTTP
import RapportServices

/// A saved segment as the API shows it.
struct SegmentBody: Encodable, Sendable {
    var id: String
    var name: String
    var query: String
    var createdBy: String?
    var createdAt: String
    var updatedAt: String

    init(_ segment: Segment) {
        id = segment.id
        name = segment.name
        query = segment.query
        createdBy = segment.createdBy
        createdAt = Timestamp.rfc3339(segment.createdAt)
        updatedAt = Timestamp.rfc3339(segment.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, query
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(query, forKey: .query)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `{"count"}`.
struct SegmentCountBody: Encodable, Sendable {
    var count: Int
}

/// A preview: how many contacts a query selects, and the first of them.
struct SegmentPreviewBody: Encodable, Sendable {
    var count: Int
    var sample: [RecordBody]
}

import RapportCore
import RapportHTTP
import RapportServices

/// A saved segment as the API shows it.
struct SegmentBody: Encodable, Sendable {
    var id: String
    var name: String
    var query: String
    @Nullable var createdBy: String?
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

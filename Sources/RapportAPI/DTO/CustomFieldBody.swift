import RapportCore
import RapportHTTP
import RapportServices

/// A custom field definition.
struct CustomFieldBody: Encodable, Sendable {
    let definition: CustomFieldDefinition

    enum CodingKeys: String, CodingKey {
        case id, object, key, label, type, options
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(definition.id, forKey: .id)
        try container.encode(definition.object, forKey: .object)
        try container.encode(definition.key, forKey: .key)
        try container.encode(definition.label, forKey: .label)
        try container.encode(definition.type.rawValue, forKey: .type)
        try container.encode(definition.options, forKey: .options)
        try container.encode(Timestamp.rfc3339(definition.createdAt), forKey: .createdAt)
    }
}

import Foundation

/// Who did something: a signed-in user, an API client, an import, or Rapport itself.
package struct Actor: Sendable, Equatable, Codable {
    package enum Kind: String, Sendable, Codable { case user, system, `import`, api }

    package var type: Kind
    package var id: String?

    package init(_ type: Kind, id: String?) {
        self.type = type
        self.id = id
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(id, forKey: .id)
    }
}

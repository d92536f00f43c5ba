import Foundation
package import Hummingbird
package import RapportCore
import RapportServices

/// `?limit=` and `?cursor=` of every list, read once here.
package struct PageRequest: Sendable {
    package static let defaultLimit = 50
    package static let maximumLimit = 200

    package var limit: Int
    package var after: PageKey?

    /// Reads and validates the paging parameters.
    /// - Throws: `invalid` naming `limit` or `cursor`.
    /// - Parameter cursor: false when the caller reads `cursor` itself (record lists carry their sort in it).
    package init(_ request: Request, cursor readsCursor: Bool = true) throws {
        var issues: [FieldIssue] = []
        limit = Self.defaultLimit
        if let text = request.uri.queryParameters["limit"] {
            if let value = Int(text), (1...Self.maximumLimit).contains(value) {
                limit = value
            } else {
                issues.append(FieldIssue("limit", "Limit must be a whole number from 1 to \(Self.maximumLimit)."))
            }
        }
        after = nil
        if readsCursor, let text = request.uri.queryParameters["cursor"].map(String.init), !text.isEmpty {
            if let key = PageKey(cursor: text) {
                after = key
            } else {
                issues.append(FieldIssue("cursor", "The cursor is not one this server gave out."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
    }
}

extension PageKey {
    /// Opaque to clients: base64url of "created_at:id".
    package var cursor: String {
        Data("\(createdAt):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package init?(cursor: String) {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let createdAt = Int64(parts[0]), RecordID.isWellFormed(String(parts[1])) else {
            return nil
        }
        self.init(createdAt: createdAt, id: String(parts[1]))
    }
}

/// The list envelope: `{"data": [...], "next_cursor": "..." | null}`.
package struct ListBody<Item: Encodable & Sendable>: Encodable, Sendable {
    package var data: [Item]
    package var nextCursor: String?

    package init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

extension ListBody: JSONRepresentable where Item: JSONRepresentable {
    package func writeJSON(to out: inout [UInt8]) {
        out.append(contentsOf: "{\"data\":[".utf8)
        for (index, item) in data.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            item.writeJSON(to: &out)
        }
        out.append(contentsOf: "],\"next_cursor\":".utf8)
        JSONText.write(nextCursor.map(JSONValue.string) ?? .null, to: &out)
        out.append(UInt8(ascii: "}"))
    }
}

import Foundation
package import Hummingbird
import RapportCore
import RapportServices

/// Strong ETags derived from a record's id and version, and the `If-Match` check.
package enum ETag {
    package static func make(id: String, version: Int64) -> String {
        "\"\(id.suffix(12))-\(version)\""
    }

    /// Passes when `If-Match` is absent, `*`, or lists the current ETag.
    /// - Throws: `stale` (412) otherwise.
    package static func check(_ request: Request, current: String) throws {
        guard let header = request.headers[.ifMatch] else { return }
        let candidates = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if candidates.contains("*") || candidates.contains(current) { return }
        throw RapportError(.stale, "The record has changed since it was read (If-Match does not match its ETag).")
    }
}

extension JSONCoding {
    /// A versioned resource as JSON: its ETag, and for a new one (201) its `Location` under `collection`
    /// (such as `/api/v1/teams`).
    package static func resource<T: Encodable>(
        _ body: T, id: String, version: Int64, collection: String, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        var headers: HTTPFields = [.eTag: ETag.make(id: id, version: version)]
        if status == .created { headers[.location] = "\(collection)/\(id)" }
        return try response(body, status: status, headers: headers)
    }
}

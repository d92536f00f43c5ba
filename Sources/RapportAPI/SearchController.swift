import Foundation
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `GET /api/v1/search?q=&limit=`: contacts and companies, best first.
package struct SearchController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        api.get("search", use: search)
    }

    @Sendable func search(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var issues: [FieldIssue] = []
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        if SearchKey.queryWords(query).isEmpty { issues.append(FieldIssue("q", "Type something to search for.")) }
        if query.count > 200 { issues.append(FieldIssue("q", "At most 200 characters.")) }
        var limit = 20
        if let text = request.uri.queryParameters["limit"] {
            if let value = Int(text), (1...100).contains(value) {
                limit = value
            } else {
                issues.append(FieldIssue("limit", "Limit must be a whole number from 1 to 100."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let results = try await SearchService(services).search(
            principal.viewer, query: query, limit: limit)
        return try JSONCoding.response(Results(data: results))
    }

    /// `{"data": [results]}`, written straight to JSON text.
    struct Results: Encodable, JSONRepresentable {
        let data: [SearchResult]

        func writeJSON(to out: inout [UInt8]) {
            out.append(contentsOf: "{\"data\":[".utf8)
            for (index, result) in data.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                var members: [String: JSONValue] = [
                    "type": .string(result.type), "id": .string(result.id), "name": .string(result.name),
                ]
                members["email"] = result.email.map(JSONValue.string) ?? .null
                members["company_name"] = result.companyName.map(JSONValue.string) ?? .null
                JSONText.write(.object(members), to: &out)
            }
            out.append(contentsOf: "]}".utf8)
        }
    }
}

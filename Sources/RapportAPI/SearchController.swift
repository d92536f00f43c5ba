import Foundation
package import Hummingbird
import RapportCore
import RapportStore

/// `GET /api/v1/search?q=&limit=`: contacts and companies, best first.
package struct SearchController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        api.get("search", use: search)
    }

    /// One result as the API shows it.
    package struct Result: Encodable, Sendable {
        package var type: String
        package var id: String
        package var name: String
        package var email: String?
        package var companyName: String?

        enum CodingKeys: String, CodingKey {
            case type, id, name, email
            case companyName = "company_name"
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(email, forKey: .email)
            try container.encode(companyName, forKey: .companyName)
        }
    }

    /// The best matches for a query, with the address and company name a result list shows.
    package static func results(_ services: Services, workspaceID: String, query: String, limit: Int) async throws
        -> [Result]
    {
        let hits = try await SearchRepository(store: services.store).search(
            workspaceID: workspaceID, query: query, limit: limit)
        let details = try await RecordRepository(store: services.store, schema: .contacts).addressesAndCompanies(
            workspaceID: workspaceID, contactIDs: hits.filter { $0.recordType == "contact" }.map(\.recordID))
        return hits.map { hit in
            let detail = details[hit.recordID]
            return Result(
                type: hit.recordType, id: hit.recordID, name: hit.displayName, email: detail?.email ?? nil,
                companyName: detail?.companyName ?? nil)
        }
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
        let results = try await Self.results(services, workspaceID: principal.workspace.id, query: query, limit: limit)
        return try JSONCoding.response(Results(data: results))
    }

    /// `{"data": [results]}`, written straight to JSON text.
    struct Results: Encodable, JSONRepresentable {
        let data: [Result]

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

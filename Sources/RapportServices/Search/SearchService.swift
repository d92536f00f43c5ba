import Foundation
package import RapportCore
import RapportStore

/// One search result: what it is, its id and title, and for a contact its address and company name.
package struct SearchResult: Encodable, Sendable {
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

/// Search across the workspace's records, best first.
package struct SearchService: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// The best matches for a query, with the address and company name a result list shows.
    /// The best matches among the records the viewer may see, with the address and company name a result
    /// list shows (each only where the viewer may see it).
    package func search(_ viewer: Viewer, query: String, limit: Int) async throws -> [SearchResult] {
        let workspaceID = viewer.workspaceID
        var scopes: [String: RecordScope] = [:]
        for type in ObjectCatalog.all {
            if let scope = viewer.scopeIfAllowed(.read, on: type) { scopes[type.recordType] = scope }
        }
        let hits = try await SearchRepository(store: services.store).search(
            SearchRepository.Reach(workspaceID: workspaceID, scopes: scopes), query: query, limit: limit)
        var details = try await RecordRepository(store: services.store, schema: .contacts).addressesAndCompanies(
            workspaceID: workspaceID, contactIDs: hits.filter { $0.recordType == "contact" }.map(\.recordID))
        // (an address the viewer's role hides is not shown; a company they may not see is not named)
        let hidesEmail = viewer.hiddenFields(.contacts).contains("email")
        let companies = Set(details.values.compactMap(\.companyID))
        var visibleCompanies = Set<String>()
        if let reach = viewer.scopeIfAllowed(.read, on: .companies) {
            visibleCompanies = try await RecordRepository(store: services.store, schema: .companies).reachable(
                reach, ids: companies)
        }
        for (id, detail) in details {
            details[id] = (
                hidesEmail ? nil : detail.email, detail.companyID,
                detail.companyID.map(visibleCompanies.contains) == true ? detail.companyName : nil
            )
        }
        return hits.map { hit in
            let detail = details[hit.recordID]
            return SearchResult(
                type: hit.recordType, id: hit.recordID, name: hit.displayName, email: detail?.email ?? nil,
                companyName: detail?.companyName ?? nil)
        }
    }
}

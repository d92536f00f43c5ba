import Foundation
import Hummingbird
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices

/// The header search: a results page, and suggestions as JSON for the search box as the user types.
struct SearchPages: Sendable {
    let services: Services
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.search), use: results)
        group.get(RouterPath(WebPath.searchSuggest), use: suggest)
    }

    static func path(_ result: SearchResult) -> String {
        WebPath.record(ObjectCatalog.all.first { $0.recordType == result.type }?.name ?? "contacts", result.id)
    }

    @Sendable func results(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(200))
        let messages = pages.catalog.table(principal.user.language)
        let found =
            SearchKey.queryWords(query).isEmpty
            ? []
            : try await SearchService(services).search(principal.viewer, query: query, limit: 50)
        let rows = found.map { result in
            SearchView.Row(
                name: result.name, path: Self.path(result), kind: messages["kind_\(result.type)"] ?? result.type,
                email: result.email.nonEmpty, company: result.companyName.nonEmpty)
        }
        return pages.render(
            SearchView(q: query, rows: rows, hasRows: !rows.isEmpty, searched: !query.isEmpty),
            request: request, context: context, title: "search")
    }

    /// `[{"name", "detail", "path"}]` for the search box.
    @Sendable func suggest(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(200))
        let found =
            SearchKey.queryWords(query).isEmpty
            ? []
            : try await SearchService(services).search(principal.viewer, query: query, limit: 8)
        let items = found.map { result in
            [
                "name": result.name, "path": Self.path(result),
                "detail": [result.email, result.companyName].compactMap { $0 }.joined(separator: " · "),
            ]
        }
        return try JSONCoding.response(items)
    }
}

import Foundation
import HTTPTypes
package import Hummingbird
import NIOCore
import RapportCore
package import RapportHTTP
package import RapportServices

/// `GET /api/v1/exports?object=contacts|companies&format=csv|jsonl` (`&segment_id=` for a segment's
/// contacts), streamed.
package struct ExportController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        api.get("exports", use: export)
    }

    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let object = request.uri.queryParameters["object"].map(String.init)
        var filter: (query: ListQuery, search: [String])?
        if let segmentID = request.uri.queryParameters["segment_id"].map(String.init) {
            guard object == ObjectType.contacts.name else {
                throw RapportError.invalid([FieldIssue("segment_id", "Only contacts are members of segments.")])
            }
            var query = ListQuery()
            try await SegmentService(services).apply(segmentID, to: &query, viewer: principal.viewer)
            filter = (query, [])
        }
        return try ExportResponse.make(
            services, viewer: principal.viewer, object: object,
            format: request.uri.queryParameters["format"].map(String.init), filter: filter)
    }
}

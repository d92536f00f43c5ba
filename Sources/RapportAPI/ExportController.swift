import Foundation
import HTTPTypes
package import Hummingbird
import NIOCore
import RapportCore
package import RapportHTTP
package import RapportServices

/// `GET /api/v1/exports?object=contacts|companies&format=csv|jsonl`, streamed.
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
        return try ExportResponse.make(
            services, viewer: principal.viewer,
            object: request.uri.queryParameters["object"].map(String.init),
            format: request.uri.queryParameters["format"].map(String.init))
    }
}

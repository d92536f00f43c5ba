import Crypto
import Foundation
import HTTPTypes
package import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportServices

/// Refuses a query string that carries NUL (`%00`) before any route reads it: no field may hold it and
/// PostgreSQL cannot even compare with it.
package struct InputGuardMiddleware: RouterMiddleware {
    package typealias Context = AppContext

    package init() {}

    package func handle(
        _ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response
    ) async throws -> Response {
        if let query = request.uri.query,
            query.range(of: "%00", options: .caseInsensitive) != nil || query.contains("\u{0}")
        {
            throw RapportError(.badRequest, "The address contains characters that are not allowed.")
        }
        return try await next(request, context)
    }
}

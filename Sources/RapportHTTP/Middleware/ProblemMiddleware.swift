import Crypto
import Foundation
package import HTTPTypes
package import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportDatabase
import RapportServices

/// Turns every thrown error into a response: problem+json for the API (and any client that does not
/// ask for HTML), an HTML page otherwise. Unknown errors become a bare 500 and are logged, never shown.
package struct ProblemMiddleware: RouterMiddleware {
    package typealias Context = AppContext
    /// Renders an HTML error page for browsers; nil falls back to problem+json.
    package typealias HTMLRenderer = @Sendable (HTTPResponse.Status, String, Request, AppContext) -> Response?
    let html: HTMLRenderer?

    package init(html: HTMLRenderer? = nil) {
        self.html = html
    }

    package func handle(
        _ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let known = clientError(from: error)
            if known == nil, let rejected = error as? any HTTPResponseError, (400..<500).contains(rejected.status.code)
            {
                // A request the framework refused (a bad Range, say): its own status, never a 500.
                return Problem(status: rejected.status, detail: "The request cannot be served as sent.").response()
            }
            if known == nil {
                context.logger.error(
                    "request failed", metadata: ["error": .string(DatabaseErrors.logDescription(error))])
            }
            let status = known?.code.status ?? .internalServerError
            if Self.wantsHTML(request), let page = html?(status, known?.detail ?? "Internal error.", request, context) {
                return page
            }
            return known.map { Problem($0).response(retryAfter: $0.retryAfter) } ?? Problem.internalError.response()
        }
    }

    /// Browsers asking for a page get HTML; the API and health checks always get JSON.
    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix("/api/") || path == "/api" || path == "/healthz" || path == "/openapi.yaml" { return false }
        return request.headers[.accept]?.contains("text/html") ?? false
    }
}

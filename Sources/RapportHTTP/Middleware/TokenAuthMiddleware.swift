import Crypto
import Foundation
import HTTPTypes
package import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import RapportCore
package import RapportServices

/// Authenticates `/api/v1` requests by bearer token and applies the optional per-token rate limit.
package struct TokenAuthMiddleware: RouterMiddleware {
    package typealias Context = AppContext
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func handle(
        _ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw RapportError(.unauthorized, "Send an API token as `Authorization: Bearer <token>`.")
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmed(newlines: false)
        guard !secret.isEmpty, secret.count <= 200,
            let principal = try await AccountService(services).authenticate(secret: secret)
        else {
            throw RapportError(.unauthorized, "The API token is not valid or has been revoked.")
        }
        if let wait = services.rateLimiter.hit(principal.tokenID ?? principal.user.id) {
            throw RapportError(
                .rateLimited, "Too many requests for this token; retry in \(wait) seconds.", retryAfter: wait)
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "workspace.id"] = .string(principal.workspace.id)
        var response = try await next(request, context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

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

/// The outermost middleware: gives each request an id (echoed in `X-Request-ID` and in its log line),
/// adds the security headers, and writes one log line per request.
package struct RequestIDMiddleware: RouterMiddleware {
    package typealias Context = AppContext

    package init() {}

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

    package func handle(
        _ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let supplied = request.headers[.xRequestID].flatMap(Self.acceptable)
        context.requestID = supplied ?? context.logger[metadataKey: "hb.request.id"]?.description ?? RecordID.make()
        context.logger[metadataKey: "request.id"] = .string(context.requestID)
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "same-origin"
        let elapsed = ContinuousClock.now - started
        let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info(
            "\(request.method) \(InviteService.redacting(request.uri.path)) \(response.status.code) \(String(format: "%.1f", millis))ms"
        )
        return response
    }

    /// A client's id is kept when it is short and plain; anything else is replaced.
    static func acceptable(_ id: String) -> String? {
        guard (1...128).contains(id.count),
            id.unicodeScalars.allSatisfy({
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.:".unicodeScalars.contains($0)
            })
        else { return nil }
        return id
    }
}

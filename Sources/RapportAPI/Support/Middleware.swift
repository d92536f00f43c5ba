import Crypto
import Foundation
package import HTTPTypes
package import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportStore

extension HTTPField.Name {
    package static let xRequestID = HTTPField.Name("X-Request-ID")!
    package static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

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
            "\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", millis))ms")
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
            let principal = try await services.tokens.authenticate(secret: secret)
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

/// Replays the first response to a write repeated with the same `Idempotency-Key` (per token, 24 hours);
/// the same key with a different request answers 422, and a repeat while the first is still running 409.
/// Routes whose response holds a secret (creating a token) are registered outside this middleware.
package struct IdempotencyMiddleware: RouterMiddleware {
    package typealias Context = AppContext
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    static let storedHeaders: [HTTPField.Name] = [.contentType, .eTag, .location]

    package func handle(
        _ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response
    ) async throws -> Response {
        guard [.post, .patch, .put, .delete].contains(request.method),
            let key = request.headers[.idempotencyKey],
            let principal = context.principal, let tokenID = principal.tokenID
        else { return try await next(request, context) }
        guard (1...255).contains(key.count) else {
            throw RapportError.invalid([FieldIssue("Idempotency-Key", "The key must be 1 to 255 characters.")])
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: services.settings.jsonBodyLimit)
        } catch {
            throw RapportError(.tooLarge, "The request body is larger than \(services.settings.jsonBodyLimit) bytes.")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8))
        hasher.update(data: Data("If-Match: \(request.headers[.ifMatch] ?? "")\n".utf8))
        hasher.update(data: Data(buffer: body))
        let hash = Hex.encode(hasher.finalize())
        let workspaceID = principal.workspace.id
        let reused = RapportError.invalid([
            FieldIssue("Idempotency-Key", "This key was already used with a different request.")
        ])
        switch try await services.idempotency.reserve(
            workspaceID: workspaceID, tokenID: tokenID, key: key, requestHash: hash)
        {
        case .reserved:
            break
        case .inProgress(let requestHash):
            guard requestHash == hash else { throw reused }
            throw RapportError(
                .conflict, "A request with this Idempotency-Key is still being processed; retry shortly.")
        case .completed(let stored):
            guard stored.requestHash == hash else { throw reused }
            return Self.replay(stored)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            guard let known = clientError(from: error) else {
                try? await services.idempotency.release(workspaceID: workspaceID, tokenID: tokenID, key: key)
                throw error
            }
            response = Problem(known).response(retryAfter: known.retryAfter)
        }
        guard response.status.code < 500 else {
            try? await services.idempotency.release(workspaceID: workspaceID, tokenID: tokenID, key: key)
            return response
        }
        let collected = try await Self.collect(response.body)
        response.body = .init(byteBuffer: collected)
        let headers = Self.storedHeaders.compactMap { name in response.headers[name].map { "\(name): \($0)" } }
        try await services.idempotency.complete(
            workspaceID: workspaceID, tokenID: tokenID, key: key,
            response: StoredResponse(
                requestHash: hash, status: response.status.code, headers: headers.joined(separator: "\n"),
                body: String(buffer: collected)))
        return response
    }

    static func replay(_ stored: StoredResponse) -> Response {
        var headers = HTTPFields()
        for line in stored.headers.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let name = HTTPField.Name(String(parts[0])) {
                headers[name] = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
        return Response(
            status: .init(code: stored.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let box = CollectingWriter.Box()
        try await body.write(CollectingWriter(box: box))
        return box.buffer.withLockedValue { $0 }
    }
}

/// A response body writer that keeps what is written, for storing idempotent responses.
struct CollectingWriter: ResponseBodyWriter {
    final class Box: Sendable {
        let buffer = NIOLockedValueBox(ByteBuffer())
    }
    let box: Box

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        _ = box.buffer.withLockedValue { $0.writeBuffer(&buffer) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

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
import RapportStore

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

import Foundation
package import HTTPTypes
package import Hummingbird
import NIOCore
package import RapportCore
import RapportServices

extension RapportError.Code {
    /// The only mapping from a domain error to an HTTP status.
    package var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .invalid: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .stale: .preconditionFailed
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .tooLarge: .contentTooLarge
        case .rateLimited: .tooManyRequests
        case .gone: .gone
        }
    }
}

/// An RFC 9457 problem document.
package struct Problem: Encodable, Sendable {
    package var status: Int
    package var title: String
    package var detail: String
    package var errors: [FieldIssue]?
    package var extras: [String: String]
    package var report: JSONValue? = nil

    package init(_ error: RapportError) {
        let status = error.code.status
        self.status = status.code
        self.title = status.reasonPhrase
        self.detail = error.detail
        self.errors = error.code == .invalid || !error.fields.isEmpty ? error.fields : nil
        self.extras = error.extras
        self.report = error.report
    }

    /// A problem with a status that has no domain code (a refused Range, say).
    package init(status: HTTPResponse.Status, detail: String) {
        self.init(status: status.code, title: status.reasonPhrase, detail: detail, errors: nil, extras: [:])
    }

    /// A 500 that says nothing about its cause.
    package static let internalError = Problem(
        status: 500, title: "Internal Server Error", detail: "Internal error.", errors: nil, extras: [:])

    private init(status: Int, title: String, detail: String, errors: [FieldIssue]?, extras: [String: String]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.extras = extras
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(status, forKey: Key(stringValue: "status"))
        try container.encode(title, forKey: Key(stringValue: "title"))
        try container.encode(detail, forKey: Key(stringValue: "detail"))
        if let errors { try container.encode(errors, forKey: Key(stringValue: "errors")) }
        for (key, value) in extras { try container.encode(value, forKey: Key(stringValue: key)) }
        if let report { try container.encode(report, forKey: Key(stringValue: "report")) }
    }

    /// The response carrying this problem.
    package func response(retryAfter: Int? = nil, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let data = (try? JSONCoding.encoder.encode(self)) ?? Data()
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns whatever a handler threw into a `RapportError` a client may see; anything unknown becomes nil (a 500).
package func clientError(from error: any Error) -> RapportError? {
    switch error {
    case let error as RapportError:
        return error
    case let error as any HTTPResponseError:
        switch error.status {
        case .contentTooLarge: return RapportError(.tooLarge, "The request body is too large.")
        case .notFound: return RapportError(.notFound, "There is nothing at this address.")
        case .methodNotAllowed: return RapportError(.notFound, "There is nothing at this address for this method.")
        case .badRequest: return RapportError(.badRequest, "The request could not be read.")
        case .unauthorized: return RapportError(.unauthorized, "Authentication is required.")
        default: return nil
        }
    default:
        return nil
    }
}

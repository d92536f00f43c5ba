package import Foundation
package import Hummingbird
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportServices

/// One encoder and decoder configuration for the whole API.
package enum JSONCoding {
    package static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// Reads a JSON body within the configured limit and decodes it, naming the bad field on failure.
    /// - Throws: `tooLarge` over the limit, `badRequest` for malformed JSON, `invalid` for wrong types.
    package static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw RapportError(.tooLarge, "The request body is larger than \(limit) bytes.")
        }
        return try decode(type, from: Data(buffer: buffer))
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw rapportError(error)
        } catch {
            throw RapportError(.badRequest, "The request body is not valid JSON.")
        }
    }

    static func rapportError(_ error: DecodingError) -> RapportError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return RapportError(.badRequest, "The request body is not valid JSON.")
        case .dataCorrupted(let context):
            return .invalid([FieldIssue(path(context.codingPath), "This value is not allowed.")])
        case .typeMismatch(let expected, let context) where context.codingPath.isEmpty:
            return RapportError(
                .badRequest,
                "The request body must be a JSON \(expected == [String: JSONValue].self ? "object" : "value").")
        case .typeMismatch(let expected, let context):
            return .invalid([FieldIssue(path(context.codingPath), "Expected \(describe(expected)).")])
        case .valueNotFound(let expected, let context):
            return .invalid([FieldIssue(path(context.codingPath), "Expected \(describe(expected)), not null.")])
        case .keyNotFound(let key, let context):
            return .invalid([FieldIssue(path(context.codingPath + [key]), "This field is required.")])
        @unknown default:
            return RapportError(.badRequest, "The request body could not be read.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "a value of another type"
        }
    }

    /// A JSON response with the given status.
    package static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        throws -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        if let value = value as? any JSONRepresentable {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(2048)
            value.writeJSON(to: &bytes)
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

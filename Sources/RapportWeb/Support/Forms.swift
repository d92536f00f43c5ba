import Foundation
import Hummingbird
import NIOCore
import RapportCore

/// Reads an `application/x-www-form-urlencoded` body into a dictionary (the last value of a repeated name wins).
enum Form {
    static let limit = 64 * 1024

    /// Buffers the body in `request`, so a later reader (the handler after the CSRF check) sees it again.
    static func read(_ request: inout Request) async throws -> [String: String] {
        try await readAll(&request).last
    }

    /// Every value of every field, for forms with repeated names (checkboxes).
    static func readAll(_ request: inout Request) async throws -> FormData {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw RapportError(.tooLarge, "The form is too large.")
        }
        let fields = parse(String(buffer: buffer))
        // No field of any form may carry NUL: PostgreSQL cannot store it and no person types it.
        if fields.pairs.contains(where: { $0.value.unicodeScalars.contains("\u{0}") }) {
            throw RapportError(.badRequest, "The form contains characters that are not allowed.")
        }
        return fields
    }

    static func parse(_ body: String) -> FormData {
        var fields = FormData()
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { continue }
            fields.pairs.append((decode(name), parts.count > 1 ? decode(parts[1]) : ""))
        }
        return fields
    }
}

/// One problem with one input field, shown next to the field in a form or in problem+json `errors`.
package struct FieldIssue: Error, Sendable, Equatable, Codable {
    /// The field's name as the client sent it (`email`, `custom.size`).
    package var field: String
    /// A message safe to show a user.
    package var message: String

    package init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// The one error type of the domain; RapportAPI maps its code to an HTTP status in one place.
package struct RapportError: Error, Sendable, Equatable {
    /// What went wrong, independent of transport.
    package enum Code: Sendable, Equatable {
        case badRequest, invalid, notFound, conflict, stale, unauthorized, forbidden, tooLarge, rateLimited
        /// Something that existed and is no more: an invitation link that expired, was used or revoked.
        case gone
    }

    package var code: Code
    /// Safe to show a user.
    package var detail: String
    package var fields: [FieldIssue] = []
    /// Extra members for a problem document (`existing_id`), string-valued.
    package var extras: [String: String] = [:]
    /// Seconds a client should wait before retrying (for `rateLimited`).
    package var retryAfter: Int? = nil
    /// A structured member for the problem document (an import's report under `report`).
    package var report: JSONValue? = nil

    package init(
        _ code: Code, _ detail: String, fields: [FieldIssue] = [], extras: [String: String] = [:],
        retryAfter: Int? = nil
    ) {
        self.code = code
        self.detail = detail
        self.fields = fields
        self.extras = extras
        self.retryAfter = retryAfter
    }

    /// A validation failure naming each bad field.
    package static func invalid(_ fields: [FieldIssue]) -> RapportError {
        RapportError(.invalid, "The request has invalid fields.", fields: fields)
    }

    package static func notFound(_ what: String) -> RapportError {
        RapportError(.notFound, "\(what) was not found.")
    }
}

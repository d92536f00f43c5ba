import Foundation

/// One problem with one input field, shown next to the field in a form or in problem+json `errors`.
package struct FieldIssue: Error, Sendable, Equatable, Codable {
    /// The field's name as the client sent it (`email`, `custom.size`).
    package var field: String
    /// A message safe to show a user, in English (the API's language).
    package var message: String
    /// The message's key in the web's catalogues (`issue_KEY`), whose text names `values` as `{name}`;
    /// nil for messages only an API client can cause (a JSON type it did not expect).
    package var key: String?
    package var values: [String: String] = [:]
    /// Where in a text the problem is (a segment's query), 1-based; nil for a whole field.
    package var line: Int?
    package var column: Int?

    package init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// A message people see in forms: `template` in English with `{name}` for each value, translated by
    /// the pages from `issue_KEY`.
    package init(_ field: String, key: String, _ template: String, _ values: [String: String] = [:]) {
        self.field = field
        self.key = key
        self.values = values
        self.message = Self.fill(template, values)
    }

    /// `template` with each `{name}` replaced by its value.
    package static func fill(_ template: String, _ values: [String: String]) -> String {
        values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// An issue at a line and column of a text field.
    package init(_ field: String, line: Int, column: Int, _ message: String) {
        self.field = field
        self.message = message
        self.line = line
        self.column = column
    }

    enum CodingKeys: String, CodingKey { case field, message, line, column }
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

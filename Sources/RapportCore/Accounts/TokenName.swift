import Foundation

/// Rules for naming an API token.
package enum TokenName {
    package static let maximumLength = 100

    /// The trimmed name.
    /// - Throws: `invalid` naming `name` when it is empty or too long.
    package static func validate(_ name: String?) throws -> String {
        let trimmed = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw RapportError.invalid([FieldIssue("name", "Name is required.")]) }
        if RecordPatch.hasForbiddenControl(trimmed) || trimmed.contains(where: \.isNewline) {
            throw RapportError.invalid([FieldIssue("name", "Name must not contain control characters.")])
        }
        if trimmed.count > maximumLength {
            throw RapportError.invalid([FieldIssue("name", "Name must be at most \(maximumLength) characters.")])
        }
        return trimmed
    }
}

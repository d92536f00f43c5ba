import Foundation

/// A note, call, meeting or email logged by a user, before validation.
package struct ActivityDraft: Sendable {
    package var type: String?
    package var body: String?
    package var occurredAt: String?
    package var durationMinutes: Double?

    package init(type: String?, body: String?, occurredAt: String?, durationMinutes: Double?) {
        self.type = type
        self.body = body
        self.occurredAt = occurredAt
        self.durationMinutes = durationMinutes
    }

    /// The event's type, time and data.
    /// - Throws: `invalid` naming each bad field.
    package func validate(now: Int64) throws -> (type: String, occurredAt: Int64, data: [String: JSONValue]) {
        var issues: [FieldIssue] = []
        let type = self.type ?? ""
        if !TimelineEvent.activityTypes.contains(type) {
            issues.append(FieldIssue("type", "Type must be one of note, call, meeting, email."))
        }
        let body = (self.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if body.isEmpty || body.count > 20_000 || body.unicodeScalars.contains("\u{0}") {
            issues.append(FieldIssue("body", "Body must be 1 to 20000 characters."))
        }
        var occurredAt = now
        if let text = self.occurredAt {
            if let date = Timestamp.parse(text) {
                occurredAt = Timestamp.micros(date)
            } else {
                issues.append(FieldIssue("occurred_at", "Expected an RFC 3339 time."))
            }
        }
        var data: [String: JSONValue] = ["body": .string(body)]
        if let minutes = durationMinutes {
            if type != "call" && type != "meeting" {
                issues.append(FieldIssue("duration_minutes", "Only calls and meetings have a duration."))
            } else if minutes < 0 || minutes > 1440 || minutes.rounded() != minutes {
                issues.append(FieldIssue("duration_minutes", "Expected whole minutes from 0 to 1440."))
            } else {
                data["duration_minutes"] = .number(minutes)
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return (type, occurredAt, data)
    }
}

import Foundation

/// Who did something: a signed-in user, an API client, an import, or Rapport itself.
package struct Actor: Sendable, Equatable, Codable {
    package enum Kind: String, Sendable, Codable { case user, system, `import`, api }

    package var type: Kind
    package var id: String?

    package init(_ type: Kind, id: String?) {
        self.type = type
        self.id = id
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(id, forKey: .id)
    }
}

/// One entry of the append-only interaction timeline.
package struct TimelineEvent: Sendable, Equatable {
    /// Types users log by hand.
    package static let activityTypes = ["note", "call", "meeting", "email"]
    /// Every type known so far; later features add theirs.
    package static let types = activityTypes + ["created", "updated", "lifecycle_changed", "merged", "imported"]

    package var id: String
    package var workspaceID: String
    package var type: String
    package var occurredAt: Int64
    package var actor: Actor
    package var contactID: String?
    package var companyID: String?
    package var data: [String: JSONValue]

    package init(
        id: String = RecordID.make(), workspaceID: String, type: String, occurredAt: Int64, actor: Actor,
        contactID: String?, companyID: String?, data: [String: JSONValue]
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.type = type
        self.occurredAt = occurredAt
        self.actor = actor
        self.contactID = contactID
        self.companyID = companyID
        self.data = data
    }
}

extension TimelineEvent {
    /// The record an events table column ties the event to.
    package func recordID(column: String) -> String? {
        switch column {
        case "contact_id": contactID
        case "company_id": companyID
        default: nil
        }
    }

    /// Ties the event to a record through one of the events table's record columns.
    package mutating func set(column: String, to id: String?) {
        switch column {
        case "contact_id": contactID = id
        case "company_id": companyID = id
        default: break
        }
    }
}

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

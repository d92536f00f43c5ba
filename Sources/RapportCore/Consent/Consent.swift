import Foundation

/// A contact's permission to be contacted on a channel, and how it changes.
package enum Consent {
    /// Channels consent is kept for (the column takes others later: sms, phone, post).
    package static let channels = ["email"]
    /// `granted`, `withdrawn` (unsubscribed) or `unknown`.
    package static let states = ["granted", "withdrawn", "unknown"]
    /// How a change came about.
    package static let sources = [
        "form", "import", "api", "unsubscribe_link", "one_click", "unsubscribe_mail", "preference_centre", "admin",
    ]

    /// The contact field that mirrors the email channel's state (`subscribed`, `unsubscribed`, `unknown`).
    package static func fieldValue(_ state: String) -> String {
        switch state {
        case "granted": "subscribed"
        case "withdrawn": "unsubscribed"
        default: "unknown"
        }
    }

    /// The state a value of the contact's `email_consent` field stands for.
    package static func state(fieldValue: String?) -> String {
        switch fieldValue {
        case "subscribed": "granted"
        case "unsubscribed": "withdrawn"
        default: "unknown"
        }
    }

    /// What is wrong with a change.
    package static func issues(channel: String?, state: String?, source: String?, note: String?) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if channel == nil || !channels.contains(channel!) {
            issues.append(
                FieldIssue("channel", key: "consent_channel", "Channel must be \(channels.joined(separator: ", "))."))
        }
        if state == nil || !states.contains(state!) {
            issues.append(FieldIssue("state", key: "consent_state", "State must be granted, withdrawn or unknown."))
        }
        if let source, !sources.contains(source) {
            issues.append(
                FieldIssue("source", key: "consent_source", "Source must be one of \(sources.joined(separator: ", ")).")
            )
        }
        if let note, note.count > 1000 {
            issues.append(FieldIssue("note", key: "consent_note_long", "At most 1000 characters."))
        }
        return issues
    }
}

/// A contact's current consent on one channel.
package struct ConsentState: Sendable, Equatable {
    package var channel: String
    package var state: String
    package var source: String?
    package var changedAt: Int64?

    package init(channel: String, state: String, source: String?, changedAt: Int64?) {
        self.channel = channel
        self.state = state
        self.source = source
        self.changedAt = changedAt
    }
}

/// One change of a contact's consent, as it was given (append-only).
package struct ConsentChange: Sendable, Equatable {
    package var id: String
    package var contactID: String
    package var channel: String
    package var state: String
    package var source: String
    /// How it was given, in words ("ticked the box on the pricing page form").
    package var note: String?
    package var userID: String?
    package var at: Int64

    package init(
        id: String = RecordID.make(), contactID: String, channel: String, state: String, source: String,
        note: String?, userID: String?, at: Int64
    ) {
        self.id = id
        self.contactID = contactID
        self.channel = channel
        self.state = state
        self.source = source
        self.note = note
        self.userID = userID
        self.at = at
    }
}

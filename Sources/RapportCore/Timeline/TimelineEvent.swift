import Foundation

/// One entry of the append-only interaction timeline.
package struct TimelineEvent: Sendable, Equatable {
    /// Types users log by hand.
    package static let activityTypes = ["note", "call", "meeting", "email"]
    /// Every type known so far; later features add theirs.
    package static let types =
        activityTypes + [
            "created", "updated", "lifecycle_changed", "merged", "imported", "deal_created", "deal_moved", "deal_won",
            "deal_lost", "deal_amount_changed", "purchase", "email_sent", "email_bounced", "consent_changed",
            "email_opened", "email_clicked", "email_unsubscribed",
        ]
    /// What contacts do, which the website snippet, forms and campaigns record (segments count them).
    package static let behaviourTypes = [
        "page_view", "download", "form_submitted", "email_sent", "email_opened", "email_clicked", "email_bounced",
        "email_unsubscribed",
    ]

    package var id: String
    package var workspaceID: String
    package var type: String
    package var occurredAt: Int64
    package var actor: Actor
    package var contactID: String?
    package var companyID: String?
    package var dealID: String?
    package var data: [String: JSONValue]

    package init(
        id: String = RecordID.make(), workspaceID: String, type: String, occurredAt: Int64, actor: Actor,
        contactID: String?, companyID: String?, dealID: String? = nil, data: [String: JSONValue]
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.type = type
        self.occurredAt = occurredAt
        self.actor = actor
        self.contactID = contactID
        self.companyID = companyID
        self.dealID = dealID
        self.data = data
    }
}

extension TimelineEvent {
    /// The events table's columns that tie an event to a record.
    package static let subjectColumns = ["contact_id", "company_id", "deal_id"]

    /// The record an events table column ties the event to.
    package func recordID(column: String) -> String? {
        switch column {
        case "contact_id": contactID
        case "company_id": companyID
        case "deal_id": dealID
        default: nil
        }
    }

    /// Ties the event to a record through one of the events table's record columns.
    package mutating func set(column: String, to id: String?) {
        switch column {
        case "contact_id": contactID = id
        case "company_id": companyID = id
        case "deal_id": dealID = id
        default: break
        }
    }
}

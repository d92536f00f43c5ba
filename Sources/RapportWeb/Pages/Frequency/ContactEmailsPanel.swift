import Foundation
import RapportCore
import RapportServices

/// A contact's emails on their page: the latest outbox rows with their state and, for a message held back or
/// not sent, why (a frequency rule, no consent, …) in the reader's language; mail sent in the policy's window
/// by kind, and when the next marketing message could go.
struct ContactEmailsView {
    struct Row {
        let subject: String
        let kind: String
        let state: String
        let stateClass: String
        /// When it was sent, or (waiting) when it is next tried, or when it was queued.
        let when: String
        let datetime: String
        /// Why it waits or was not sent, in the reader's language; nil when there is nothing to say.
        let reason: String?
        /// The stored reason in full (English, or the SMTP server's words), for the tooltip.
        let detail: String?
    }

    let rows: [Row]
    let hasRows: Bool
    /// "In the last 7 days: 2 marketing, 1 transactional."
    let window: String
    /// "At most 3 marketing messages in 7 days."; nil without a cap.
    let cap: String?
    /// When the next marketing message could go, or why none will.
    let next: String
    let blocked: Bool
}

extension FrequencyPages {
    /// The panel for a contact the principal sees; nil for a role that reads no consent.
    func emailsPanel(contactID: String, principal: Principal, messages: [String: String], dates: Dates) async throws
        -> ContactEmailsView?
    {
        let language = principal.user.language
        func fill(_ key: String, _ values: [String: String]) -> String {
            values.reduce(messages[key] ?? key) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        let standing: FrequencyService.ContactStanding
        do {
            standing = try await frequency.standing(principal, contactID: contactID)
        } catch let error as RapportError where error.code == .forbidden {
            return nil
        }
        let rows = try await EmailService(services).list(principal, contactID: contactID, limit: 10, before: nil)
        let policy = try await frequency.get(principal)
        let shown = rows.map { row -> ContactEmailsView.Row in
            let waiting = [.queued, .deferred].contains(row.state)
            let at = row.state == .sent ? row.sentAt ?? row.createdAt : waiting ? row.nextAttemptAt : row.createdAt
            let stored = row.state == .deferred ? row.deferredReason ?? row.lastError : row.lastError
            var reason: String?
            if let stored {
                if let kind = SendPolicy.kind(ofReason: stored) {
                    reason = messages["send_reason_\(kind)"] ?? kind
                } else if row.state != .sent {
                    reason = messages["send_reason_delivery"] ?? "delivery"
                }
            }
            return ContactEmailsView.Row(
                subject: row.subject, kind: messages["template_kind_\(row.kind.rawValue)"] ?? row.kind.rawValue,
                state: messages["email_state_\(row.state.rawValue)"] ?? row.state.rawValue,
                stateClass: "email-state-\(row.state.rawValue)",
                when: waiting ? fill("email_next_try", ["when": dates.short(at)]) : dates.short(at),
                datetime: Timestamp.rfc3339(at), reason: reason, detail: stored)
        }
        let next: String
        if let refusal = standing.refusal {
            let kind = SendPolicy.kind(ofReason: refusal) ?? "no_consent"
            next = fill("emails_next_refused", ["reason": messages["send_reason_\(kind)"] ?? kind])
        } else if let reason = standing.nextSlotReason {
            let kind = SendPolicy.kind(ofReason: reason) ?? ""
            next = fill(
                "emails_next_at",
                ["when": dates.short(standing.nextSlotAt), "reason": messages["send_reason_\(kind)"] ?? kind])
        } else {
            next = messages["emails_next_now"] ?? "emails_next_now"
        }
        return ContactEmailsView(
            rows: shown, hasRows: !shown.isEmpty,
            window: fill(
                "emails_window",
                [
                    "days": Numbers.format(standing.windowDays, language),
                    "marketing": Numbers.format(standing.marketingSent, language),
                    "transactional": Numbers.format(standing.transactionalSent, language),
                ]),
            cap: policy.cap.map {
                fill(
                    "frequency_summary_cap",
                    [
                        "count": Numbers.format($0.maxMessages, language),
                        "days": Numbers.format($0.windowDays, language),
                    ])
            }, next: next, blocked: standing.refusal != nil)
    }
}

package import Foundation

/// Why a marketing message waits that is not a delivery failure, and until when.
package struct SendDeferral: Sendable, Equatable {
    /// A rule of the frequency policy that holds a message back.
    package enum Rule: String, Sendable, CaseIterable {
        case frequencyCap = "frequency_cap"
        case minimumGap = "minimum_gap"
        case quietHours = "quiet_hours"
    }

    /// The earliest moment every rule allows (microseconds).
    package var until: Int64
    /// The rules that moved it, the one that moved it first first.
    package var rules: [Rule]
    /// In words, for the outbox row's `deferred_reason`: "Frequency cap: 3 messages in 7 days; next slot
    /// 2026-12-09 10:00 Europe/Copenhagen."
    package var reason: String
}

/// Why a marketing message is not sent at all (the row becomes `skipped`).
package enum MarketingRefusal: Sendable, Equatable {
    /// The row names no contact, or its contact was deleted: there is no consent to check.
    case noContact
    /// The contact's email consent is `withdrawn` or `unknown`.
    case noConsent(String)
    /// The contact's `email_status` is `undeliverable`.
    case undeliverable

    package var reason: String {
        switch self {
        case .noContact: "No contact: marketing mail goes only to a contact who has given email consent."
        case .noConsent("withdrawn"): "No email consent: the contact withdrew it."
        case .noConsent: "No email consent: the contact has not given it."
        case .undeliverable: "Undeliverable: the contact's email status is undeliverable."
        }
    }
}

/// What the frequency policy and the contact's consent say of one marketing message at the moment it would
/// be sent. Pure: the delivery worker reads the contact and their recent sends and asks here.
package enum SendPolicy {
    /// Whether a contact may get marketing mail at all.
    /// - Parameters:
    ///   - consent: the contact's email consent (`granted`, `withdrawn`, `unknown`); nil when there is no contact.
    ///   - emailStatus: the contact's `email_status`.
    package static func refusal(consent: String?, emailStatus: String?) -> MarketingRefusal? {
        guard let consent else { return .noContact }
        guard consent == "granted" else { return .noConsent(consent) }
        if emailStatus == "undeliverable" { return .undeliverable }
        return nil
    }

    /// The zone a contact's quiet hours are read in: their own when it is a known IANA name, else the
    /// workspace's, else UTC.
    package static func zone(contact: String?, workspace: String?) -> TimeZone {
        for name in [contact, workspace] {
            if let name, TimeZones.known.contains(name), let zone = TimeZone(identifier: name) { return zone }
        }
        return TimeZone(identifier: "UTC")!
    }

    /// When a marketing message to a contact may go, given when that contact's earlier marketing messages went
    /// (`sends`: sent, or being sent by another worker).
    /// - Returns: nil when it may go at `now`; else the earliest moment all rules allow, and why.
    package static func deferral(_ policy: FrequencyPolicy, sends: [Int64], now: Int64, zone: TimeZone)
        -> SendDeferral?
    {
        var earliest = now
        var rules: [SendDeferral.Rule] = []
        var words: [String] = []
        if let cap = policy.cap {
            let recent = sends.filter { $0 > now - cap.window }.sorted()
            if recent.count >= cap.maxMessages {
                // the oldest send that has to leave the window before one more fits
                let slot = recent[recent.count - cap.maxMessages] + cap.window
                if slot > earliest {
                    earliest = slot
                    rules = [.frequencyCap]
                    words = [
                        "Frequency cap: \(count(cap.maxMessages, "message", "messages")) in "
                            + count(cap.windowDays, "day", "days")
                    ]
                }
            }
        }
        if policy.gap > 0, let last = sends.max(), last + policy.gap > earliest {
            earliest = last + policy.gap
            rules = [.minimumGap]
            words = ["Minimum gap: \(count(policy.minGapHours ?? 0, "hour", "hours")) between messages"]
        }
        if let quiet = policy.quietHours, let end = quietEnd(quiet, after: earliest, zone: zone) {
            earliest = end
            let span = "\(quiet.startText)–\(quiet.endText) \(name(zone))"
            words.append(rules.isEmpty ? "Quiet hours: \(span)" : "then quiet hours \(span)")
            rules.append(.quietHours)
        }
        guard earliest > now else { return nil }
        words.append("next slot \(local(earliest, zone: zone)) \(name(zone))")
        return SendDeferral(until: earliest, rules: rules, reason: words.joined(separator: "; ") + ".")
    }

    /// A zone's IANA name as people write it (`UTC`, which Foundation on Linux calls `GMT`).
    package static func name(_ zone: TimeZone) -> String {
        zone.identifier == "GMT" ? "UTC" : zone.identifier
    }

    /// The moment quiet hours end when `at` falls in them (in `zone`); nil when it does not.
    package static func quietEnd(_ quiet: QuietHours, after at: Int64, zone: TimeZone) -> Int64? {
        let calendar = self.calendar(zone)
        let date = Timestamp.date(at)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        guard quiet.contains(minute: minute) else { return nil }
        // the end is later today, or tomorrow when today's end has passed (a span across midnight, evening)
        let day = minute >= quiet.end ? calendar.date(byAdding: .day, value: 1, to: date) ?? date : date
        var end = calendar.dateComponents([.year, .month, .day], from: day)
        end.hour = quiet.end / 60
        end.minute = quiet.end % 60
        guard let moment = calendar.date(from: end) else { return nil }
        let micros = Timestamp.micros(moment)
        // (a clock change can make the local end fall at or before `at`: then the next minute will do)
        return micros > at ? micros : at + 60_000_000
    }

    /// `YYYY-MM-DD HH:MM` of a moment in a zone.
    package static func local(_ micros: Int64, zone: TimeZone) -> String {
        let parts = calendar(zone).dateComponents(
            [.year, .month, .day, .hour, .minute], from: Timestamp.date(micros))
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// What a row's stored reason (deferred or skipped) is about, for pages that name it in the reader's
    /// language: a rule's raw value, `no_contact`, `no_consent`, `undeliverable` or `suppressed`; nil for a
    /// delivery failure (what the SMTP server said).
    package static func kind(ofReason reason: String) -> String? {
        let prefixes: [(String, String)] = [
            ("Frequency cap:", SendDeferral.Rule.frequencyCap.rawValue),
            ("Minimum gap:", SendDeferral.Rule.minimumGap.rawValue),
            ("Quiet hours:", SendDeferral.Rule.quietHours.rawValue), ("No contact:", "no_contact"),
            ("No email consent:", "no_consent"), ("Undeliverable:", "undeliverable"),
            ("The address is suppressed", "suppressed"),
        ]
        return prefixes.first { reason.hasPrefix($0.0) }?.1
    }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    static func count(_ n: Int, _ one: String, _ many: String) -> String {
        "\(n) \(n == 1 ? one : many)"
    }
}

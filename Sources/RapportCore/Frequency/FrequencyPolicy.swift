import Foundation

/// A workspace's rules against over-mailing: at most `cap.maxMessages` marketing messages per contact in a
/// rolling window of `cap.windowDays`, at least `minGapHours` between two, and none during quiet hours in the
/// contact's time zone. Each rule is optional; a workspace without a policy has none. Transactional mail is
/// never held by them.
package struct FrequencyPolicy: Sendable, Equatable {
    /// At most `maxMessages` in any `windowDays` days.
    package struct Cap: Sendable, Equatable {
        package var maxMessages: Int
        package var windowDays: Int

        package init(maxMessages: Int, windowDays: Int) {
            self.maxMessages = maxMessages
            self.windowDays = windowDays
        }

        package var window: Int64 { Int64(windowDays) * 86_400_000_000 }
    }

    package var cap: Cap?
    /// Hours between two marketing messages to one contact; nil (or 0) for no minimum.
    package var minGapHours: Int?
    package var quietHours: QuietHours?
    /// When it was last saved (microseconds); nil for a workspace that never saved one.
    package var updatedAt: Int64?

    package init(cap: Cap? = nil, minGapHours: Int? = nil, quietHours: QuietHours? = nil, updatedAt: Int64? = nil) {
        self.cap = cap
        self.minGapHours = minGapHours
        self.quietHours = quietHours
        self.updatedAt = updatedAt
    }

    /// No rule at all: every message may go at once.
    package var isEmpty: Bool { cap == nil && (minGapHours ?? 0) == 0 && quietHours == nil }

    package var gap: Int64 { Int64(minGapHours ?? 0) * 3_600_000_000 }

    /// How far back a contact's sends matter: the cap's window or the gap, whichever is longer.
    package var lookBack: Int64 { max(cap?.window ?? 0, gap) }

    /// Bounds of each number, as the API and the form check them.
    package static let maxMessagesRange = 1...1000
    package static let windowDaysRange = 1...365
    package static let minGapHoursRange = 0...720

    /// A policy as written (the API's body or the form), before it is checked.
    package struct Draft: Sendable, Equatable {
        package var maxMessages: Int?
        package var windowDays: Int?
        package var minGapHours: Int?
        /// `HH:MM` each; both nil for no quiet hours.
        package var quietStart: String?
        package var quietEnd: String?

        package init(
            maxMessages: Int? = nil, windowDays: Int? = nil, minGapHours: Int? = nil, quietStart: String? = nil,
            quietEnd: String? = nil
        ) {
            self.maxMessages = maxMessages
            self.windowDays = windowDays
            self.minGapHours = minGapHours
            self.quietStart = quietStart
            self.quietEnd = quietEnd
        }

        /// The policy, or every problem with the draft (each field named as the API names it).
        package func validated() -> Result<FrequencyPolicy, RapportError> {
            var issues: [FieldIssue] = []
            func range(_ field: String, _ value: Int?, _ bounds: ClosedRange<Int>) {
                if let value, !bounds.contains(value) {
                    issues.append(
                        FieldIssue(
                            field, key: "frequency_range", "Must be a whole number from {min} to {max}.",
                            ["min": "\(bounds.lowerBound)", "max": "\(bounds.upperBound)"]))
                }
            }
            range("max_messages", maxMessages, FrequencyPolicy.maxMessagesRange)
            range("window_days", windowDays, FrequencyPolicy.windowDaysRange)
            range("min_gap_hours", minGapHours, FrequencyPolicy.minGapHoursRange)
            if maxMessages != nil, windowDays == nil {
                issues.append(
                    FieldIssue(
                        "window_days", key: "frequency_window_needed",
                        "A cap needs both a number of messages and a window of days."))
            }
            if windowDays != nil, maxMessages == nil {
                issues.append(
                    FieldIssue(
                        "max_messages", key: "frequency_max_needed",
                        "A cap needs both a number of messages and a window of days."))
            }
            var quiet: QuietHours?
            switch (quietStart, quietEnd) {
            case (nil, nil): break
            case (let start?, let end?):
                let first = QuietHours.minute(start)
                let last = QuietHours.minute(end)
                if first == nil { issues.append(QuietHours.timeIssue("quiet_hours.start")) }
                if last == nil { issues.append(QuietHours.timeIssue("quiet_hours.end")) }
                if let first, let last {
                    if first == last {
                        issues.append(
                            FieldIssue(
                                "quiet_hours.end", key: "quiet_hours_same",
                                "Quiet hours must end at another time than they start."))
                    } else {
                        quiet = QuietHours(start: first, end: last)
                    }
                }
            case (nil, _):
                issues.append(
                    FieldIssue("quiet_hours.start", key: "quiet_hours_both", "Quiet hours need a start and an end."))
            case (_, nil):
                issues.append(
                    FieldIssue("quiet_hours.end", key: "quiet_hours_both", "Quiet hours need a start and an end."))
            }
            if !issues.isEmpty { return .failure(RapportError.invalid(issues)) }
            return .success(
                FrequencyPolicy(
                    cap: maxMessages.flatMap { max in windowDays.map { Cap(maxMessages: max, windowDays: $0) } },
                    minGapHours: minGapHours == 0 ? nil : minGapHours, quietHours: quiet))
        }
    }
}

/// A daily span of local time in which no marketing mail goes out; it may cross midnight (22:00–07:00).
package struct QuietHours: Sendable, Equatable {
    /// Minutes after midnight, 0..<1440; `start != end`.
    package var start: Int
    package var end: Int

    package init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// The minute of the day of `HH:MM` (00:00 to 23:59); nil for anything else.
    package static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
        else { return nil }
        return hour * 60 + minute
    }

    static func timeIssue(_ field: String) -> FieldIssue {
        FieldIssue(field, key: "quiet_hours_time", "Must be a time of day as HH:MM, from 00:00 to 23:59.")
    }

    /// `HH:MM` of a minute of the day.
    package static func text(_ minute: Int) -> String {
        String(format: "%02d:%02d", minute / 60, minute % 60)
    }

    package var startText: String { Self.text(start) }
    package var endText: String { Self.text(end) }

    /// Whether a minute of the day falls in the quiet span (its start counts, its end does not).
    package func contains(minute: Int) -> Bool {
        start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }
}

import Foundation

/// A window of time `[from, to)` in microseconds, as reports take it: `from` and `to` are RFC 3339
/// times or dates (`YYYY-MM-DD`, UTC), a date `to` counting the whole of that day. Missing ends are
/// open: from the beginning, up to `now` (or without end when `now` is nil).
package struct TimeWindow: Sendable, Equatable {
    package var from: Int64
    package var to: Int64

    package init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    /// The window the parameters name.
    /// - Throws: `invalid` naming `from` or `to`; also when `to` is not after `from`.
    package static func parse(from: String?, to: String?, now: Int64?) throws -> TimeWindow {
        var issues: [FieldIssue] = []
        func moment(_ text: String?, name: String, endOfDay: Bool) -> Int64? {
            guard let text, !text.isEmpty else { return nil }
            if RecordPatch.isDate(text), let day = Timestamp.parse(text + "T00:00:00Z") {
                return Timestamp.micros(day) + (endOfDay ? 86_400_000_000 : 0)
            }
            if let date = Timestamp.parse(text) { return Timestamp.micros(date) }
            issues.append(
                FieldIssue(name, key: "moment", "Expected an RFC 3339 time or a date as YYYY-MM-DD."))
            return nil
        }
        let start = moment(from, name: "from", endOfDay: false) ?? 0
        let end = moment(to, name: "to", endOfDay: true) ?? now.map { $0 + 1 } ?? .max
        if issues.isEmpty, end <= start {
            issues.append(FieldIssue("to", key: "window_order", "Must come after from."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return TimeWindow(from: start, to: end)
    }
}

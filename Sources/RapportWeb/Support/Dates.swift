import Foundation
import RapportCore

/// Times as the viewer reads them, made once per page: in their language, time zone and calendar (the
/// Persian calendar and digits for Persian by default), and how long ago for recent ones ("3 hours ago").
struct Dates {
    let language: Language
    let messages: [String: String]
    let now: Int64
    private let exactFormatter: DateFormatter
    private let shortFormatter: DateFormatter
    private let dayFormatter: DateFormatter
    /// Days that name no moment (a birthday): read in UTC so that no time zone moves them.
    private let calendarDayFormatter: DateFormatter
    /// A browser's `datetime-local` value, read in the viewer's time zone.
    private let localInputFormatter: DateFormatter

    init(
        language: Language, messages: [String: String], now: Int64 = Timestamp.micros(Date()),
        timeZone: String = "UTC", calendar: CalendarChoice? = nil
    ) {
        self.language = language
        self.messages = messages
        self.now = now
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let calendarIdentifier: Calendar.Identifier =
            (calendar ?? .standard(for: language)) == .persian ? .persian : .gregorian
        func formatter(_ template: String) -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: language.rawValue)
            formatter.calendar = Calendar(identifier: calendarIdentifier)
            formatter.timeZone = zone
            formatter.setLocalizedDateFormatFromTemplate(template)
            return formatter
        }
        exactFormatter = formatter("yMMMdjmz")
        shortFormatter = formatter("yMMMdjm")
        dayFormatter = formatter("yMMMd")
        calendarDayFormatter = formatter("yMMMd")
        calendarDayFormatter.timeZone = TimeZone(identifier: "UTC")
        localInputFormatter = DateFormatter()
        localInputFormatter.locale = Locale(identifier: "en_US_POSIX")
        localInputFormatter.calendar = Calendar(identifier: .gregorian)
        localInputFormatter.timeZone = zone
        localInputFormatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
    }

    /// Dates as this user reads them.
    init(viewer: User, messages: [String: String], now: Int64 = Timestamp.micros(Date())) {
        self.init(
            language: viewer.language, messages: messages, now: now, timeZone: viewer.timeZone,
            calendar: viewer.calendar)
    }

    /// The date and time, with its zone: `5 Dec 2026, 09:07 CET`.
    func exact(_ micros: Int64) -> String { exactFormatter.string(from: Timestamp.date(micros)) }

    /// The date and time without the zone, for a column of a list: `5 Dec 2026, 09:07`.
    func short(_ micros: Int64) -> String { shortFormatter.string(from: Timestamp.date(micros)) }

    /// The day alone: `5 Dec 2026`.
    func day(_ micros: Int64) -> String { dayFormatter.string(from: Timestamp.date(micros)) }

    /// A date written `YYYY-MM-DD`, in the viewer's calendar; nil when it is not such a date.
    func calendarDay(_ text: String) -> String? {
        guard text.count == 10, let date = Timestamp.parse(text + "T00:00:00Z") else { return nil }
        return calendarDayFormatter.string(from: date)
    }

    /// The moment a `datetime-local` input names (`2026-12-05T09:30`, in the viewer's time zone) as
    /// RFC 3339; nil when it is not such a value.
    func moment(local text: String) -> String? {
        guard text.count == 16, let date = localInputFormatter.date(from: text) else { return nil }
        return Timestamp.rfc3339(Timestamp.micros(date))
    }

    /// A moment (RFC 3339) as a `datetime-local` input shows it, in the viewer's time zone
    /// (`2026-12-05T09:30`); empty for no moment.
    func localInput(_ value: JSONValue) -> String {
        guard case .string(let text) = value, let date = Timestamp.parse(text) else { return "" }
        return localInputFormatter.string(from: date)
    }

    /// How long ago, for the last week; the date before that, or for a time still to come.
    func relative(_ micros: Int64) -> String {
        let seconds = (now - micros) / 1_000_000
        func text(_ key: String, _ count: Int64) -> String {
            (messages[key] ?? "{count}").replacingOccurrences(of: "{count}", with: Numbers.format(Int(count), language))
        }
        switch seconds {
        case ..<(-60): return day(micros)
        case ..<60: return messages["time_just_now"] ?? "just now"
        case ..<3600: return text("time_minutes_ago", seconds / 60)
        case ..<86_400: return text("time_hours_ago", seconds / 3600)
        case ..<(7 * 86_400): return text("time_days_ago", seconds / 86_400)
        default: return day(micros)
        }
    }
}

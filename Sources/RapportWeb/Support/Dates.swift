import Foundation
import RapportCore

/// Times as the viewer reads them, made once per page: the exact time in their language (the Persian
/// calendar and digits for Persian), and how long ago for recent ones ("3 hours ago").
struct Dates {
    let language: Language
    let messages: [String: String]
    let now: Int64
    private let exactFormatter: DateFormatter
    private let dayFormatter: DateFormatter

    init(language: Language, messages: [String: String], now: Int64 = Timestamp.micros(Date())) {
        self.language = language
        self.messages = messages
        self.now = now
        func formatter(time: Bool) -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: language.rawValue)
            if language == .fa { formatter.calendar = Calendar(identifier: .persian) }
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateStyle = .medium
            formatter.timeStyle = time ? .short : .none
            return formatter
        }
        exactFormatter = formatter(time: true)
        dayFormatter = formatter(time: false)
    }

    /// The date and time, with its zone: `5 Dec 2026, 09:07 UTC`.
    func exact(_ micros: Int64) -> String {
        exactFormatter.string(from: Timestamp.date(micros)) + " UTC"
    }

    /// How long ago, for the last week; the date before that, or for a time still to come.
    func relative(_ micros: Int64) -> String {
        let seconds = (now - micros) / 1_000_000
        func text(_ key: String, _ count: Int64) -> String {
            (messages[key] ?? "{count}").replacingOccurrences(of: "{count}", with: Numbers.format(Int(count), language))
        }
        switch seconds {
        case ..<(-60): return dayFormatter.string(from: Timestamp.date(micros))
        case ..<60: return messages["time_just_now"] ?? "just now"
        case ..<3600: return text("time_minutes_ago", seconds / 60)
        case ..<86_400: return text("time_hours_ago", seconds / 3600)
        case ..<(7 * 86_400): return text("time_days_ago", seconds / 86_400)
        default: return dayFormatter.string(from: Timestamp.date(micros))
        }
    }
}

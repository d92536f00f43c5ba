package import Foundation

/// Times are stored as integer microseconds since the Unix epoch, UTC, and shown as RFC 3339.
package enum Timestamp {
    /// Microseconds since the epoch for a date.
    package static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date of a stored microsecond value.
    package static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    /// RFC 3339 in UTC with millisecond precision: `2026-11-24T09:30:00.123Z`.
    package static func rfc3339(_ micros: Int64) -> String {
        date(micros).formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true)
                .timeZone(separator: .omitted).dateTimeSeparator(.standard))
    }

    /// Parses RFC 3339 with or without fractional seconds.
    package static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }
}

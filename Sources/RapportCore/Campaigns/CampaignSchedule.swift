package import Foundation

/// When a campaign is to go, read the way people write it.
package enum CampaignSchedule {
    /// The moment `text` names: RFC 3339 with an offset (`2026-05-04T09:00:00+02:00`, `…Z`) as given; a date and
    /// time without one (`2026-05-04T09:00`, seconds optional) in `timeZone`, the workspace's. A local time that
    /// a clock change skips (02:30 when clocks go from 02:00 to 03:00) is read as the same time after the change;
    /// one that happens twice is read as the first.
    /// - Returns: microseconds since 1970; nil for anything else, or a day that does not exist.
    package static func moment(_ text: String, timeZone: TimeZone) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let micros = Timestamp.fastMicros(text) { return micros }
        if let date = Timestamp.parseWithOffset(text) { return Timestamp.micros(date) }
        return local(text, timeZone: timeZone)
    }

    /// A date and time without an offset, in `timeZone`.
    static func local(_ text: String, timeZone: TimeZone) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16 || bytes.count >= 19, bytes.count <= 26 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                guard bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), (1...12).contains(month), day >= 1, hour < 24, minute < 60
        else { return nil }
        var second = 0
        var fraction = 0
        if bytes.count > 16 {
            guard bytes[16] == UInt8(ascii: ":"), let value = number(17, 2), value < 60 else { return nil }
            second = value
            if bytes.count > 19 {
                guard bytes[19] == UInt8(ascii: "."), bytes.count > 20, let digits = number(20, bytes.count - 20)
                else { return nil }
                fraction = digits
                for _ in (bytes.count - 20)..<6 { fraction *= 10 }
            }
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        return Timestamp.micros(date) + Int64(fraction)
    }

    /// `micros` as a local date and time in `timeZone` (`2026-05-04T09:00`), as a form's `datetime-local` holds it.
    package static func localText(_ micros: Int64, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Timestamp.date(micros))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0,
            parts.minute ?? 0)
    }
}

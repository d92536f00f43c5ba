import Foundation
import RapportCore
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("RFC 3339 text: fixed cases, leap days and times before 1970")
    func fixedCases() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_795_512_600_123_456, "2026-11-24T09:30:00.123Z"),
            (951_782_400_000_000, "2000-02-29T00:00:00.000Z"),
            (4_107_456_000_000_000, "2100-02-28T00:00:00.000Z"),
            (4_107_542_399_999_999, "2100-02-28T23:59:59.999Z"),
            (4_107_542_400_000_000, "2100-03-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-86_400_000_001, "1969-12-30T23:59:59.999Z"),
            (-62_135_596_800_000_000, "0001-01-01T00:00:00.000Z"),
            (253_402_300_799_999_999, "9999-12-31T23:59:59.999Z"),
        ]
        for (micros, text) in cases {
            #expect(Timestamp.rfc3339(micros) == text, "\(micros)")
        }
    }

    @Test("RFC 3339 text agrees with Foundation's formatter, cuts to the millisecond and parses back")
    func agreesWithFoundation() {
        var generator = SeededGenerator(seed: 3339)
        let style = Date.ISO8601FormatStyle.iso8601.year().month().day().time(includingFractionalSeconds: true)
            .timeZone(separator: .omitted).dateTimeSeparator(.standard)
        for _ in 0..<20_000 {
            let micros = Int64.random(in: -2_208_988_800_000...4_102_444_800_000, using: &generator) * 1000
            let text = Timestamp.rfc3339(micros)
            // (Foundation cuts a Double, so a whole millisecond can come out one lower: compare mid-way)
            #expect(text == Timestamp.date(micros + 500).formatted(style), "\(micros)")
            #expect(Timestamp.rfc3339(micros + 999) == text, "\(micros)")
            // (Foundation's parser goes through a Double too: within a microsecond)
            let parsed = Timestamp.parse(text).map(Timestamp.micros) ?? .min
            #expect(abs(parsed - micros) <= 1, "\(text)")
        }
    }
}

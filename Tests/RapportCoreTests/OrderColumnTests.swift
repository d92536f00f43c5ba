import Foundation
import Testing

@testable import RapportCore

@Suite("Order import columns and times")
struct OrderColumnTests {
    @Test(
        "RFC 3339 read by hand gives Foundation's moment",
        arguments: [
            "2026-03-01T10:30:00Z", "2026-03-01T10:30:00.5+01:00", "2024-02-29T23:59:59.999-03:30",
            "1970-01-01T00:00:00Z", "2000-12-31T12:00:00.123456Z", "1999-01-01t00:00:00z", "2026-11-24T09:30:00.123Z",
        ])
    func fastMicros(_ text: String) throws {
        // given what Foundation reads
        let expected = try #require(Timestamp.parseWithOffset(text.uppercased())).timeIntervalSince1970
        // then the hand-written reader agrees (to the millisecond Foundation's formatter keeps)
        let micros = try #require(Timestamp.fastMicros(text))
        #expect(abs(Double(micros) / 1_000_000 - expected) < 0.001)
        #expect(Timestamp.fastMicros(text)! % 1000 == (text.contains(".123456") ? 456 : 0))
    }

    @Test(
        "what is not a moment is refused",
        arguments: ["2026-02-30T10:00:00Z", "2026-03-01T10:30:00", "2026-03-01 10:30:00Z", "2026-13-01T00:00:00Z", "x"])
    func refused(_ text: String) {
        #expect(Timestamp.fastMicros(text) == nil)
    }

    @Test("a date is midnight UTC, and other times keep their offset")
    func moments() {
        #expect(OrderColumn.moment("2026-01-05") == Timestamp.fastMicros("2026-01-05T00:00:00Z"))
        #expect(OrderColumn.moment("2026-01-05T10:00:00+01:00") == Timestamp.fastMicros("2026-01-05T09:00:00Z"))
        #expect(OrderColumn.moment("yesterday") == nil)
    }

    @Test(
        "prices are read in the currency's minor units",
        arguments: [
            ("12.50", "DKK", 1250 as Int64?), ("12.5", "DKK", 1250), ("12", "DKK", 1200), ("12.500", "DKK", 1250),
            ("1250", "JPY", 1250), ("1.5", "JPY", nil), ("-3", "EUR", -300), ("10.999", "DKK", nil),
            ("abc", "DKK", nil),
            ("1.234", "KWD", 1234), ("", "DKK", nil), (".5", "DKK", nil),
        ])
    func prices(_ text: String, _ currency: String, _ expected: Int64?) {
        #expect(OrderColumn.minorUnits(text, currency: currency) == expected)
    }

    @Test("headers map by name, alias and --map, and a file without what an order needs is refused")
    func mapping() throws {
        let (columns, ignored) = try OrderColumn.mapping(
            headers: ["Order Number", "E-mail", "SKU", "Qty", "Amount", "Currency", "Notes"],
            overrides: ["Amount": "unit_price", "Notes": "-"])
        #expect(columns[0] == .orderReference)
        #expect(columns[1] == .customerEmail)
        #expect(columns[4] == .unitPrice)
        #expect(ignored == ["Notes"])
        #expect(throws: RapportError.self) {
            try OrderColumn.mapping(headers: ["Order Number", "E-mail", "SKU"], overrides: [:])
        }
    }
}

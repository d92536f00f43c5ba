import RapportCore
import Testing

@Suite("Money")
struct MoneyTests {
    @Test(
        "an amount in minor units reads as people write it in its currency",
        arguments: [
            (249_900 as Int64, "DKK", "2,499.00 DKK"), (5, "EUR", "0.05 EUR"), (1_250, "JPY", "1,250 JPY"),
            (1_234_567, "KWD", "1,234.567 KWD"), (100_000_000, "IRR", "1,000,000.00 IRR"),
            (-1_050, "UAH", "-10.50 UAH"),
        ])
    func format(_ minor: Int64, _ code: String, _ text: String) {
        #expect(Currencies.format(minorUnits: minor, code: code) == text)
    }
}

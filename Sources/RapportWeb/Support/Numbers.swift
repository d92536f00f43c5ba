import Foundation
import RapportCore

/// Numbers as a person of each language writes them: grouping, and Persian digits on Persian pages.
enum Numbers {
    /// One format per language, made once (a `NumberFormatter` per number cost a list page a few
    /// milliseconds).
    private static let styles: [Language: IntegerFormatStyle<Int>] = Dictionary(
        uniqueKeysWithValues: Language.allCases.map {
            ($0, IntegerFormatStyle<Int>(locale: Locale(identifier: $0.rawValue)))
        })

    static func format(_ number: Int, _ language: Language) -> String {
        styles[language].map { number.formatted($0) } ?? String(number)
    }

    /// An amount of money in minor units (cents, øre) as a person of the language writes it, with the
    /// currency's code: `1,250.50 EUR`, `1.250,50 DKK`, `۱٬۲۵۰٫۵۰ EUR`.
    static func money(minorUnits: Int64, code: String?, _ language: Language) -> String {
        guard let code else { return format(Int(minorUnits), language) }
        let digits = Currencies.minorDigits(code)
        let amount = Decimal(minorUnits) / pow(Decimal(10), digits)
        let style = Decimal.FormatStyle(locale: Locale(identifier: language.rawValue))
            .precision(.fractionLength(digits))
        return "\(amount.formatted(style)) \(code)"
    }
}

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

    /// Text with its ASCII digits written as the language writes them (Persian digits on Persian pages): a
    /// time such as `22:00`.
    static func digits(_ text: String, _ language: Language) -> String {
        guard language == .fa else { return text }
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    (0x30...0x39).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0x30 + 0x06F0)! : scalar
                }))
    }

    /// Text with Persian and Arabic-Indic digits made ASCII, as a form field typed on a Persian keyboard may
    /// hold them.
    static func westernDigits(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    switch scalar.value {
                    case 0x06F0...0x06F9: Unicode.Scalar(scalar.value - 0x06F0 + 0x30)!
                    case 0x0660...0x0669: Unicode.Scalar(scalar.value - 0x0660 + 0x30)!
                    default: scalar
                    }
                }))
    }
}

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
}

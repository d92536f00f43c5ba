import Foundation
import RapportCore

/// Numbers as a person of each language writes them: grouping, and Persian digits on Persian pages.
enum Numbers {
    static func format(_ number: Int, _ language: Language) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: language.rawValue)
        return formatter.string(from: NSNumber(value: number)) ?? String(number)
    }
}

import Foundation
import RapportCore

/// The interface text, one JSON message catalogue per language in `Resources/Locales`; a key missing
/// from a catalogue falls back to English, so a new language can be added one file at a time.
struct Catalog: Sendable {
    private let messages: [Language: [String: String]]

    init(bundle: Bundle = .module) throws {
        var messages: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = bundle.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Locales")
            else { continue }
            messages[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        self.messages = messages
    }

    /// All messages of a language, English filling the gaps.
    func table(_ language: Language) -> [String: String] {
        (messages[.en] ?? [:]).merging(messages[language] ?? [:]) { _, own in own }
    }

    /// Whether a language has its own catalogue (offered in the language picker).
    func has(_ language: Language) -> Bool { messages[language] != nil }
}

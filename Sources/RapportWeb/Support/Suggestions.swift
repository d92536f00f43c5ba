import Foundation
import RapportCore

/// What a field suggests as the user types: countries and languages by their names in the viewer's
/// language, time zones with their names too; the value stays the code the field stores. Made once per
/// language, as ICU takes a while to name 400 time zones.
enum Suggestions {
    private struct Lists: Sendable {
        let countries: [Option]
        let languages: [Option]
        let timeZones: [Option]
    }

    private static let lists: [Language: Lists] = Dictionary(
        uniqueKeysWithValues: Language.allCases.map { ($0, make($0)) })

    /// The suggestions of a field of this kind, none for most kinds.
    static func options(for kind: FieldKind, language: Language) -> [Option] {
        guard let lists = lists[language] else { return [] }
        switch kind {
        case .country: return lists.countries
        case .languageTag: return lists.languages
        case .timeZone: return lists.timeZones
        default: return []
        }
    }

    private static func make(_ language: Language) -> Lists {
        let locale = Locale(identifier: language.rawValue)
        let countries = Countries.codes.map {
            Option(value: $0, label: locale.localizedString(forRegionCode: $0) ?? $0)
        }.sorted { $0.label.compare($1.label, locale: locale) == .orderedAscending }
        let languages = [
            "en", "fa", "uk", "da", "de", "sv", "nb", "fr", "es", "it", "nl", "pl", "ru", "ar", "tr", "zh", "ja",
        ].map { Option(value: $0, label: locale.localizedString(forLanguageCode: $0) ?? $0) }
        let timeZones = TimeZones.known.sorted().map { identifier in
            let city = identifier.replacingOccurrences(of: "_", with: " ")
            let name = TimeZone(identifier: identifier)?.localizedName(for: .generic, locale: locale)
            return Option(value: identifier, label: name.map { "\(city) · \($0)" } ?? city)
        }
        return Lists(countries: countries, languages: languages, timeZones: timeZones)
    }
}

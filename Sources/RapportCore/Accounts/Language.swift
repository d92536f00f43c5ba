import Foundation

/// The interface languages; a user's language picks the message catalogue and the page direction.
package enum Language: String, Sendable, Codable, CaseIterable {
    case en, fa, uk, da

    /// Persian is written right to left.
    package var isRightToLeft: Bool { self == .fa }

    /// The best language for an `Accept-Language` header, English when none matches.
    package static func preferred(acceptLanguage header: String?) -> Language {
        guard let header else { return .en }
        var best: (Language, Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { continue }
            let primary = String(tag.split(separator: "-").first ?? "")
            guard let language = Language(rawValue: primary) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            if quality > 0, quality > (best?.1 ?? -1) { best = (language, quality) }
        }
        return best?.0 ?? .en
    }
}

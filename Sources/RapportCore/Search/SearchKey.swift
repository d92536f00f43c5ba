import Foundation

/// The one normalisation behind search: what a record is indexed under and what a query is matched
/// against. Case and diacritics fold (José → jose, Søren → soren), Arabic and Persian letter variants
/// unify (ي → ی, ك → ک, ة → ه, hamza forms → their base letter), zero-width non-joiners and tatweel
/// disappear (می‌خواهم → میخواهم), and Arabic-Indic and Persian digits become ASCII.
package enum SearchKey {
    /// Letters that do not decompose into a base letter and a mark.
    static let foldings: [Character: String] = [
        "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i",
        "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ە": "ه", "ٱ": "ا",
    ]
    static let removed: Set<Unicode.Scalar> = ["\u{200C}", "\u{200D}", "\u{200B}", "\u{0640}", "\u{FEFF}", "\u{00AD}"]

    /// Normalised text: folded letters, everything else kept (spaces, punctuation).
    package static func normalize(_ text: String) -> String {
        // ASCII neither decomposes nor folds beyond its case: the usual name and every address.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }, as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if removed.contains(scalar) { continue }
            // Combining marks: accents, Arabic harakat and the decomposed hamza above and below.
            if scalar.properties.generalCategory == .nonspacingMark
                || scalar.properties.generalCategory == .enclosingMark
            {
                continue
            }
            if let digit = digitValue(scalar) {
                scalars.append(Unicode.Scalar(UInt8(48 + digit)))
                continue
            }
            scalars.append(scalar)
        }
        var result = ""
        for character in String(scalars).precomposedStringWithCanonicalMapping {
            if let folded = foldings[character] { result += folded } else { result.append(character) }
        }
        return result
    }

    static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x0660...0x0669: Int(scalar.value - 0x0660)
        case 0x06F0...0x06F9: Int(scalar.value - 0x06F0)
        default: nil
        }
    }

    /// The words of a normalised text: runs of letters and digits.
    package static func words(_ text: String) -> [String] {
        let normal = normalize(text)
        if normal.utf8.allSatisfy({ $0 < 0x80 }) {
            func isWordByte(_ byte: UInt8) -> Bool {
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            }
            return normal.utf8.split { !isWordByte($0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        return normal.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// A query's words. A query of digits with phone punctuation ("+45 32 12") is one word of digits.
    package static func queryWords(_ query: String) -> [String] {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        let phoneish = trimmed.allSatisfy { $0.isNumber || " +-().".contains($0) }
        let digits = normalize(trimmed).filter(\.isNumber)
        if phoneish, digits.count >= 3 { return [digits] }
        var words: [String] = []
        for token in trimmed.split(whereSeparator: \.isWhitespace) {
            let normal = normalize(String(token))
            // An address-like token stays whole so that it can match a whole address.
            if normal.contains("@") {
                words.append(normal)
            } else {
                words += SearchKey.words(String(token))
            }
        }
        return words.filter { !$0.isEmpty }
    }

    /// What one record is found by: its terms (each query word must be a prefix of one), and the keys
    /// that rank a result (whole name, primary address).
    package struct Document: Sendable, Equatable {
        package var terms: Set<String>
        package var nameKey: String
        package var emailKey: String?
        package var displayName: String

        package init(terms: Set<String>, nameKey: String, emailKey: String?, displayName: String) {
            self.terms = terms
            self.nameKey = nameKey
            self.emailKey = emailKey
            self.displayName = displayName
        }

        /// The terms as stored on the document: sorted, separated by spaces (no term holds one).
        package var storedTerms: String { terms.sorted().joined(separator: " ") }
    }

    /// The search document of a record: its title's words, the whole and word fields, phone digits, and
    /// the title of the record its `search.reference` points to (a contact's company).
    /// - Parameter referenceTitle: the title of that record, where there is one.
    package static func document(for record: Record, type: ObjectType, referenceTitle: String?) -> Document {
        var terms = Set<String>()
        func add(_ text: String?) { if let text { terms.formUnion(words(text)) } }
        func texts(_ field: String) -> [String] { record.string(field).map { [$0] } ?? record.strings(field) }
        let name = type.title.first.map { $0.compactMap { record.string($0) }.joined(separator: " ") } ?? ""
        add(name)
        add(referenceTitle)
        for field in type.search.whole {
            for text in texts(field) {
                terms.insert(normalize(text))
                add(text)
            }
        }
        for field in type.search.phones {
            if case .array(let phones) = record[field] {
                for case .object(let phone) in phones {
                    if case .string(let number)? = phone["number"] {
                        let digits = normalize(number).filter(\.isNumber)
                        if !digits.isEmpty { terms.insert(digits) }
                    }
                }
            }
        }
        for field in type.search.words { texts(field).forEach(add) }
        return Document(
            terms: Set(terms.filter { !$0.isEmpty }.map { String($0.prefix(100)) }),
            nameKey: words(name).joined(separator: " "),
            emailKey: type.search.emailKey.flatMap { record.string($0) }.map(normalize),
            displayName: type.title(of: record))
    }
}

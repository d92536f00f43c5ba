import Foundation

/// Email address rules shared by users and, later, contacts.
package enum Email {
    /// Trimmed and lower-cased.
    package static func normalize(_ text: String) -> String {
        text.trimmed().lowercased()
    }

    /// A pragmatic check: one `@`, a non-empty local part, a dotted domain, no spaces or controls.
    package static func isValid(_ email: String) -> Bool {
        guard email.count <= 254 else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") })
        else { return false }
        return email.unicodeScalars.allSatisfy { scalar in
            if scalar.isASCII {
                return scalar.value > 0x20 && scalar.value != 0x7F && !asciiForbidden.contains(scalar)
            }
            return !forbidden.contains(scalar)
        }
    }

    static let asciiForbidden: Set<Unicode.Scalar> = Set("<>()[],;:\\\"".unicodeScalars)
    static let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters).union(
        CharacterSet(charactersIn: "<>()[],;:\\\""))
}

import Foundation

/// Phone numbers as people write them: digits with `+`, spaces, dashes, dots and brackets.
package enum Phone {
    package static let types = ["mobile", "work", "home", "other"]
    static let allowed = Set("0123456789+-.() /".utf8)

    /// The number trimmed, or nil when it is not one.
    package static func clean(_ number: String) -> String? {
        let trimmed = number.trimmed()
        let digits = trimmed.utf8.count { $0 >= 0x30 && $0 <= 0x39 }
        guard (3...20).contains(digits), trimmed.utf8.count <= 40, trimmed.utf8.allSatisfy(allowed.contains) else {
            return nil
        }
        return trimmed
    }
}

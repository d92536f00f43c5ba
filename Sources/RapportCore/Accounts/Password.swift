import Foundation

/// Password rules.
package enum Password {
    package static let minimumLength = 8
    /// bcrypt reads at most 72 bytes.
    package static let maximumBytes = 72

    /// Why a password is unacceptable, if it is.
    package static func issue(_ password: String) -> FieldIssue? {
        if password.count < minimumLength {
            return FieldIssue("password", "Password must be at least \(minimumLength) characters.")
        }
        if password.unicodeScalars.contains("\u{0}") {
            // bcrypt would silently stop at the NUL.
            return FieldIssue("password", "Password must not contain NUL characters.")
        }
        if password.utf8.count > maximumBytes {
            return FieldIssue("password", "Password must be at most \(maximumBytes) bytes.")
        }
        return nil
    }
}

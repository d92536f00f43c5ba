import Foundation

/// A new user as submitted by the API, a form or the CLI, before validation.
package struct UserDraft: Sendable {
    package var email: String?
    package var name: String?
    package var role: String?
    package var password: String?
    package var language: String?

    package init(email: String?, name: String?, role: String?, password: String?, language: String? = nil) {
        self.email = email
        self.name = name
        self.role = role
        self.password = password
        self.language = language
    }

    /// A draft that passed validation.
    package struct Valid: Sendable {
        package var email: String
        package var name: String
        package var role: Role
        package var password: String
        package var language: Language
    }

    /// Checks every field and reports all problems at once.
    /// - Throws: `RapportError.invalid` naming each bad field.
    package func validate() throws -> Valid {
        var issues: [FieldIssue] = []
        let email = Email.normalize(self.email ?? "")
        if self.email == nil || email.isEmpty {
            issues.append(FieldIssue("email", "Email is required."))
        } else if !Email.isValid(email) {
            issues.append(FieldIssue("email", "Email is not a valid address."))
        }
        let name = (self.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = UserProfile.nameIssue(name) { issues.append(issue) }
        var role = Role.member
        if let text = self.role {
            if let parsed = Role(rawValue: text) {
                role = parsed
            } else {
                issues.append(FieldIssue("role", "Role must be one of owner, admin, member."))
            }
        }
        let password = self.password ?? ""
        if let issue = Password.issue(password) { issues.append(issue) }
        var language = Language.en
        if let text = self.language {
            if let parsed = Language(rawValue: text) {
                language = parsed
            } else {
                issues.append(UserProfile.languageIssue)
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return Valid(
            email: email, name: name.isEmpty ? email : name, role: role, password: password, language: language)
    }
}

/// Rules for a user's own profile fields.
package enum UserProfile {
    package static let maxNameLength = 200

    /// Why a display name is unacceptable, if it is.
    package static func nameIssue(_ name: String) -> FieldIssue? {
        if name.count > maxNameLength { return FieldIssue("name", "Name must be at most \(maxNameLength) characters.") }
        if RecordPatch.hasForbiddenControl(name) || name.contains(where: \.isNewline) {
            return FieldIssue("name", "Name must not contain control characters.")
        }
        return nil
    }

    package static let languageIssue = FieldIssue("language", "Language must be one of en, fa, uk, da.")
}

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

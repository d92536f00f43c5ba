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
        /// The workspace's own role chosen instead of a built-in one (`role` is then `member`); whether it
        /// exists is for the service to check.
        package var customRoleID: String?
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
        var customRoleID: String?
        if let text = self.role {
            if let parsed = Role(rawValue: text) {
                role = parsed
            } else if RecordID.isWellFormed(text) {
                customRoleID = text.lowercased()
            } else {
                issues.append(
                    FieldIssue("role", "Role must be owner, admin, member or the id of one of the workspace's roles."))
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
            email: email, name: name.isEmpty ? email : name, role: role, customRoleID: customRoleID, password: password,
            language: language)
    }
}

import Foundation

/// A new invitation as submitted by the API, a form or the CLI, before validation.
package struct InviteDraft: Sendable {
    package var email: String?
    package var role: String?
    package var name: String?

    package init(email: String?, role: String?, name: String? = nil) {
        self.email = email
        self.role = role
        self.name = name
    }

    /// A draft that passed validation.
    package struct Valid: Sendable {
        package var email: String
        package var role: Role
        /// Nil when none was given or it was blank.
        package var name: String?
    }

    /// Checks every field and reports all problems at once; the role is member when not given.
    /// - Throws: `RapportError.invalid` naming each bad field.
    package func validate() throws -> Valid {
        var issues: [FieldIssue] = []
        let email = Email.normalize(self.email ?? "")
        if email.isEmpty {
            issues.append(FieldIssue("email", "Email is required."))
        } else if !Email.isValid(email) {
            issues.append(FieldIssue("email", "Email is not a valid address."))
        }
        var role = Role.member
        if let text = self.role {
            if let parsed = Role(rawValue: text) {
                role = parsed
            } else {
                issues.append(FieldIssue("role", "Role must be one of owner, admin, member."))
            }
        }
        let name = (self.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = UserProfile.nameIssue(name) { issues.append(issue) }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return Valid(email: email, role: role, name: name.isEmpty ? nil : name)
    }
}

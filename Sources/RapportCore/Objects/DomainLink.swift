import Foundation

/// A reference filled, when empty, with the record of `target` whose `targetField` is the domain of the
/// address in `emailField` (never for free mail).
package struct DomainLink: Sendable {
    package var field: String
    package var emailField: String
    package var target: String
    package var targetField: String

    package init(field: String, emailField: String, target: String, targetField: String) {
        self.field = field
        self.emailField = emailField
        self.target = target
        self.targetField = targetField
    }
}

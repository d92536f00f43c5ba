import Foundation

/// How a record is told apart from the others of its workspace.
package enum IdentityKey: Sendable, Equatable {
    /// Every address of the record (primary and additional) belongs to it alone; an import matches on any.
    case emails
    /// A field whose value no other record of the workspace has (a company's domain, a product's SKU);
    /// an import matches on it. `label` names it in messages.
    case unique(String, label: String)
    /// A field an import matches on when nothing unique matched, the oldest record first (a company's name).
    case name(String)
}

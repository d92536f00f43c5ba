import Foundation

/// An object's own behaviour, where its description does not say enough. Every hook does nothing by
/// default, so an object with no rules of its own needs no type here.
package protocol ObjectRules: Sendable {
    /// What is wrong with a record about to be written, beyond each field's own checks.
    func validate(_ record: Record) -> [FieldIssue]
    /// Completes a record about to be written; `before` is nil for a new record.
    func prepare(_ record: inout Record, before: Record?, now: Int64)
    /// Events a change adds to the record's timeline besides `updated`.
    func events(after record: Record, before: Record) -> [(type: String, data: [String: JSONValue])]
    /// Adjusts the values of a merge, after the generic combination of `keep` and `other`.
    func merged(_ merged: inout Record, keep: Record, other: Record)
}

extension ObjectRules {
    package func validate(_ record: Record) -> [FieldIssue] { [] }
    package func prepare(_ record: inout Record, before: Record?, now: Int64) {}
    package func events(after record: Record, before: Record) -> [(type: String, data: [String: JSONValue])] { [] }
    package func merged(_ merged: inout Record, keep: Record, other: Record) {}
}

/// The rules of an object that has none of its own.
package struct NoRules: ObjectRules {
    package init() {}
}

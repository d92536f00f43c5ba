import Foundation

/// A contact's own rules: when its consent changed, its lifecycle on the timeline, and its addresses
/// after a merge.
struct ContactRules: ObjectRules {
    func prepare(_ record: inout Record, before: Record?, now: Int64) {
        let changed =
            before.map { record["email_consent"] != $0["email_consent"] }
            ?? (record.string("email_consent") != "unknown")
        if changed { record.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now)) }
    }

    func events(after record: Record, before: Record) -> [(type: String, data: [String: JSONValue])] {
        guard record["lifecycle_stage"] != before["lifecycle_stage"] else { return [] }
        return [("lifecycle_changed", ["from": before["lifecycle_stage"], "to": record["lifecycle_stage"]])]
    }

    func merged(_ merged: inout Record, keep: Record, other: Record) {
        if merged["email_consent"] != keep["email_consent"] {
            merged.values["email_consent_changed_at"] = other["email_consent_changed_at"]
        }
        // The chosen primary address; every other address of both becomes additional.
        let primary = merged.string("email")
        let all = (keep.allEmails + other.allEmails).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        merged.values["additional_emails"] = .array(all.filter { $0 != primary }.map(JSONValue.string))
    }
}

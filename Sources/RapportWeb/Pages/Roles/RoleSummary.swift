import Foundation
import RapportCore

/// What a role allows on one object, in a line a person reads: "Read, create, edit · all records,
/// changes their own · 2 hidden fields".
enum RoleSummary {
    static func line(_ rules: ObjectPermissions, owned: Bool, messages: [String: String], language: Language)
        -> String
    {
        guard !rules.actions.isEmpty else { return messages["role_no_access"] ?? "No access" }
        var parts: [String] = []
        let separator = messages["list_separator"] ?? ", "
        if rules.actions.count == RecordAction.allCases.count {
            parts.append(messages["role_every_action"] ?? "Every action")
        } else {
            // "Read, create, export": the actions as a phrase, only its first word capitalised
            let names = rules.actions.sorted().enumerated().map { index, action in
                let name = messages["action_\(action.rawValue)"] ?? action.rawValue
                return index == 0 ? name : name.lowercased()
            }
            parts.append(names.joined(separator: separator))
        }
        if owned {
            let reads = messages["reach_\(rules.visibility.rawValue)"] ?? rules.visibility.rawValue
            let changes = rules.actions.contains { $0.changesExisting }
            if changes && rules.editVisibility != rules.visibility {
                parts.append(
                    (messages["role_reads_changes"] ?? "{reads}, changes {changes}")
                        .replacingOccurrences(of: "{reads}", with: reads)
                        .replacingOccurrences(
                            of: "{changes}",
                            with: messages["reach_changes_\(rules.editVisibility.rawValue)"]
                                ?? rules.editVisibility.rawValue))
            } else {
                parts.append(reads)
            }
        }
        parts += fieldRuleCounts(
            hidden: rules.fields.values.filter { $0 == .hidden }.count,
            readOnly: rules.fields.values.filter { $0 == .readOnly }.count, messages: messages, language: language)
        return parts.joined(separator: " · ")
    }

    /// "2 hidden fields", "1 read-only field": how many fields a role hides or keeps read-only (none: nothing).
    static func fieldRuleCounts(hidden: Int, readOnly: Int, messages: [String: String], language: Language)
        -> [String]
    {
        [(hidden, "role_hidden_fields"), (readOnly, "role_read_only_fields")].filter { $0.0 > 0 }.map { count, key in
            (messages[count == 1 ? "\(key)_one" : key] ?? "{count}").replacingOccurrences(
                of: "{count}", with: Numbers.format(count, language))
        }
    }
}

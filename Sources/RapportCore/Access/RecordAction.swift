/// Something a role may do with an object's records.
package enum RecordAction: String, Sendable, Codable, CaseIterable, Comparable {
    case read, create, edit, delete, export, `import`, merge

    /// Whether the action changes a record that exists (and so is limited to the records a role may edit).
    package var changesExisting: Bool {
        switch self {
        case .edit, .delete, .merge, .import: true
        case .read, .create, .export: false
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which records of an object a role reaches: every one, its team's, or only the user's own.
package enum Visibility: String, Sendable, Codable, CaseIterable, Comparable {
    /// Records the user owns.
    case own
    /// Records the user owns, whose owner shares a team with the user, or whose team is one of the user's.
    case team
    /// Every record of the workspace.
    case all

    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a role may do with one field.
package enum FieldRule: String, Sendable, Codable, CaseIterable {
    /// Absent from answers, exports and pages; writing it is refused.
    case hidden
    /// Shown, but writing it is refused.
    case readOnly = "read_only"
}

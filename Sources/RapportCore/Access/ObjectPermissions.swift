/// What a role may do with one object's records: its actions, which records it reads and which of
/// those it changes, and its rules for single fields.
package struct ObjectPermissions: Sendable, Equatable {
    package var actions: Set<RecordAction>
    /// The records it reads (lists, search, exports, timelines).
    package var visibility: Visibility
    /// The records it edits, deletes, merges and updates by import: never wider than `visibility`.
    package var editVisibility: Visibility
    /// Fields (standard names, or `custom.KEY`) that are hidden or read-only; the rest are open.
    package var fields: [String: FieldRule]

    package init(
        actions: Set<RecordAction>, visibility: Visibility, editVisibility: Visibility? = nil,
        fields: [String: FieldRule] = [:]
    ) {
        self.actions = actions
        self.visibility = visibility
        self.editVisibility = min(editVisibility ?? visibility, visibility)
        self.fields = fields
    }

    /// Everything, on every record.
    package static let everything = ObjectPermissions(actions: Set(RecordAction.allCases), visibility: .all)
    /// Nothing at all.
    package static let nothing = ObjectPermissions(actions: [], visibility: .own)
    /// The built-in member: reads every record, changes only their own.
    package static let member = ObjectPermissions(
        actions: Set(RecordAction.allCases), visibility: .all, editVisibility: .own)

    /// Whether the role may do `action` at all.
    package func allows(_ action: RecordAction) -> Bool { actions.contains(action) }

    /// The records `action` reaches; nil when the role may not do it.
    package func reach(_ action: RecordAction) -> Visibility? {
        guard allows(action) else { return nil }
        return action.changesExisting ? editVisibility : visibility
    }

    /// The fields absent for this role.
    package var hidden: Set<String> { Set(fields.filter { $0.value == .hidden }.keys) }
}

/// One audit entry: who changed which fields of which record, and how.
package struct AuditEntry: Sendable, Equatable {
    package var id: String
    package var recordType: String
    package var recordID: String
    package var action: String
    package var actor: Actor
    package var changes: [FieldChange]
    package var at: Int64

    package init(
        id: String, recordType: String, recordID: String, action: String, actor: Actor, changes: [FieldChange],
        at: Int64
    ) {
        self.id = id
        self.recordType = recordType
        self.recordID = recordID
        self.action = action
        self.actor = actor
        self.changes = changes
        self.at = at
    }
}

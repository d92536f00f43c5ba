package import RapportCore
import RapportStore

/// What happened to records: their timelines and the audit log.
package struct TimelineService: Sendable {
    let repository: TimelineRepository

    package init(_ services: Services) {
        self.repository = TimelineRepository(store: services.store)
    }

    /// A page of a record's timeline, newest first: its own events and those of the records that point to
    /// it and have a timeline (a company's shows its contacts' events).
    package func page(
        workspaceID: String, of type: ObjectType, id: String, types: [String] = [], limit: Int, after: PageKey?
    ) async throws -> Page<TimelineEvent> {
        try await repository.page(
            workspaceID: workspaceID, subject: .init(type, id: id), types: types, limit: limit, after: after)
    }

    /// A record's audit entries, newest first.
    /// - Throws: `forbidden` for a user who may not read the audit log, `invalid` without a record id.
    package func audit(_ principal: Principal, recordID: String?, limit: Int, after: PageKey?) async throws -> Page<
        AuditEntry
    > {
        try Access(principal).require(.readAudit)
        guard let recordID, !recordID.isEmpty else {
            throw RapportError.invalid([FieldIssue("record_id", "This parameter is required.")])
        }
        return try await repository.auditPage(
            workspaceID: principal.workspace.id, recordID: recordID, limit: limit, after: after)
    }
}

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

    /// Where a merged-away record went: the record it was merged into, following later merges of that one
    /// too (at most a few); nil when the id was never merged away.
    package func mergedInto(workspaceID: String, recordID: String) async throws -> String? {
        var current = recordID
        var found: String?
        for _ in 0..<5 {
            guard let next = try await repository.mergedInto(workspaceID: workspaceID, recordID: current) else { break }
            found = next
            current = next
        }
        return found
    }

    /// What others did since `since` to the records the user owns or follows, newest first.
    package func watchedChanges(_ principal: Principal, since: Int64, limit: Int = 20) async throws -> [TimelineEvent]
    {
        try await repository.watchedChanges(
            workspaceID: principal.workspace.id, userID: principal.user.id, since: since, limit: limit)
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

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
    /// Events of records the viewer may not see are left out, and the values of fields their role hides
    /// are taken out of the changes the events show.
    package func page(
        _ viewer: Viewer, of type: ObjectType, id: String, types: [String] = [], limit: Int, after: PageKey?
    ) async throws -> Page<TimelineEvent> {
        var page = try await repository.page(
            reaches: Self.reaches(viewer), workspaceID: viewer.workspaceID, subject: .init(type, id: id),
            types: types, limit: limit, after: after)
        page.items = page.items.map { Self.redacted($0, for: viewer) }
        return page
    }

    /// The viewer's read scope on each object they may read, by name.
    static func reaches(_ viewer: Viewer) -> [String: RecordScope] {
        var reaches: [String: RecordScope] = [:]
        for type in ObjectCatalog.all {
            if let scope = viewer.scopeIfAllowed(.read, on: type) { reaches[type.name] = scope }
        }
        return reaches
    }

    /// An event without the values of the fields the viewer's role hides on the record it is about (and a
    /// purchase without the names of its products, for a role that may not read products).
    static func redacted(_ event: TimelineEvent, for viewer: Viewer) -> TimelineEvent {
        var event = event
        if event.type == "purchase", viewer.scopeIfAllowed(.read, on: .products) == nil,
            case .array(let products)? = event.data["products"]
        {
            event.data["products"] = .array(
                products.map { item in
                    guard case .object(var line) = item else { return item }
                    line["name"] = .null
                    return .object(line)
                })
        }
        guard
            let type = ObjectCatalog.all.first(where: { type in
                type.timeline.map { event.recordID(column: $0.column) != nil } ?? false
            })
        else { return event }
        let hidden = viewer.hiddenFields(type)
        guard !hidden.isEmpty else { return event }
        if case .array(let changes)? = event.data["changes"] {
            event.data["changes"] = .array(
                changes.filter { change in
                    guard case .object(let members) = change, case .string(let field)? = members["field"] else {
                        return true
                    }
                    return !hidden.contains(field)
                })
        }
        if case .object(var other)? = event.data["other"] {
            for field in hidden { other[field] = nil }
            event.data["other"] = .object(other)
        }
        return event
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
    package func watchedChanges(_ principal: Principal, since: Int64, limit: Int = 20) async throws -> [TimelineEvent] {
        try await repository.watchedChanges(
            reaches: Self.reaches(principal.viewer), workspaceID: principal.workspace.id, userID: principal.user.id,
            since: since, limit: limit
        ).map { Self.redacted($0, for: principal.viewer) }
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

import Foundation
package import RapportCore
import RapportStore

/// Saved segments: named queries of the segment language over contacts. Whoever reads contacts reads,
/// counts and lists the workspace's segments (each seeing only the members they may see) and saves new
/// ones; a segment is changed or deleted by whoever made it, an owner or an admin. A query is checked
/// for its reader every time it is used: fields their role hides, and segments that include themselves,
/// are refused with the line and column.
package struct SegmentService: Sendable {
    let services: Services
    var segments: SegmentRepository { SegmentRepository(store: services.store) }
    var contacts: RecordService { RecordService(services, schema: .contacts) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The workspace's segments by name.
    /// - Throws: `forbidden` when the viewer's role reads no contacts.
    package func all(_ viewer: Viewer) async throws -> [Segment] {
        _ = try viewer.scope(.read, on: .contacts)
        return try await segments.all(workspaceID: viewer.workspaceID)
    }

    /// A segment of the workspace.
    /// - Throws: `notFound` (another workspace's too); `forbidden` when the role reads no contacts.
    package func get(_ viewer: Viewer, id: String) async throws -> Segment {
        _ = try viewer.scope(.read, on: .contacts)
        guard let segment = try await segments.find(workspaceID: viewer.workspaceID, id: id) else {
            throw RapportError.notFound("The segment")
        }
        return segment
    }

    /// Saves a new segment.
    /// - Throws: `invalid` for a bad name or query (the query's issues with their lines and columns);
    ///   `conflict` for a taken name.
    package func create(_ viewer: Viewer, name: String?, query: String?) async throws -> Segment {
        _ = try viewer.scope(.read, on: .contacts)
        let (name, query) = try await checked(viewer, name: name, query: query, id: nil)
        let now = Timestamp.micros(Date())
        let segment = Segment(
            id: RecordID.make(), workspaceID: viewer.workspaceID, name: name, query: query, createdBy: viewer.userID,
            version: 1, createdAt: now, updatedAt: now)
        try await segments.create(segment)
        return segment
    }

    /// Changes a segment's name or query (each when given).
    /// - Throws: `notFound`; `forbidden` unless the viewer made it or is an owner or admin; `invalid`;
    ///   `conflict`; `stale` when `expectedVersion` differs.
    package func update(
        _ principal: Principal, id: String, name: String?, query: String?, expectedVersion: Int64? = nil
    ) async throws -> Segment {
        let viewer = principal.viewer
        var segment = try await get(viewer, id: id)
        try requireManage(principal, segment)
        if let expectedVersion, expectedVersion != segment.version {
            throw RapportError(.stale, "The segment was changed by someone else; reload it and try again.")
        }
        let checked = try await checked(viewer, name: name ?? segment.name, query: query ?? segment.query, id: id)
        guard checked.name != segment.name || checked.query != segment.query else { return segment }
        let before = segment.version
        segment.name = checked.name
        segment.query = checked.query
        segment.version += 1
        segment.updatedAt = max(Timestamp.micros(Date()), segment.updatedAt + 1)
        try await segments.update(segment, expectedVersion: before)
        return segment
    }

    /// Deletes a segment. Segments that include it stop working until changed (they answer 422 saying so).
    /// - Throws: `notFound`; `forbidden` unless the viewer made it or is an owner or admin.
    package func delete(_ principal: Principal, id: String) async throws {
        let segment = try await get(principal.viewer, id: id)
        try requireManage(principal, segment)
        _ = try await segments.delete(workspaceID: segment.workspaceID, id: segment.id)
    }

    func requireManage(_ principal: Principal, _ segment: Segment) throws {
        guard principal.user.role == .owner || principal.user.role == .admin || segment.createdBy == principal.user.id
        else {
            throw RapportError(.forbidden, "Only whoever made a segment, an owner or an admin changes it.")
        }
    }

    /// A name and query that can be saved: trimmed, the name free, the query checked for the viewer.
    func checked(_ viewer: Viewer, name: String?, query: String?, id: String?) async throws -> (
        name: String, query: String
    ) {
        var issues = Segment.nameIssues(name)
        let query = query ?? ""
        let trimmedName = name?.trimmed() ?? ""
        if query.trimmed().isEmpty {
            issues.append(FieldIssue("query", key: "segment_query_required", "A segment needs a query."))
        } else {
            var context = try await context(viewer)
            if let id {
                // (checked as the segment it will be: a query naming itself is a cycle)
                context.segments = context.segments.filter { $0.value.id != id }
                context.segments[SearchKey.normalize(trimmedName)] = (id, trimmedName, query)
            }
            do throws(SegmentIssues) {
                _ = try SegmentQuery.compile(query, context: context)
            } catch {
                issues += Self.issues(error)
            }
        }
        if !issues.isEmpty { throw RapportError(.invalid, "The segment has invalid fields.", fields: issues) }
        return (trimmedName, query)
    }

    /// A query's issues as field issues of `query` with their lines and columns.
    package static func issues(_ error: SegmentIssues) -> [FieldIssue] {
        error.issues.map { found in
            var issue = FieldIssue("query", line: found.line, column: found.column, found.message)
            if let key = found.key {
                issue.key = "segment_\(key)"
                issue.values = found.values
            }
            return issue
        }
    }

    /// What a query is checked against for the viewer: the custom fields, the fields their role hides, the
    /// objects it reads, the workspace's segments, now.
    func context(_ viewer: Viewer) async throws -> SegmentContext {
        let workspaceID = viewer.workspaceID
        let definitions = try await contacts.customFields(workspaceID: workspaceID)
        var saved: [String: (id: String, name: String, query: String)] = [:]
        for segment in try await segments.all(workspaceID: workspaceID) {
            saved[SearchKey.normalize(segment.name)] = (segment.id, segment.name, segment.query)
        }
        return SegmentContext(
            contactCustomFields: definitions.filter { $0.object == ObjectType.contacts.name },
            companyCustomFields: definitions.filter { $0.object == ObjectType.companies.name },
            hiddenContactFields: viewer.hiddenFields(.contacts), hiddenCompanyFields: viewer.hiddenFields(.companies),
            readsCompanies: viewer.allows(.read, on: .companies), readsOrders: viewer.allows(.read, on: .orders),
            userID: viewer.userID, now: Timestamp.micros(Date()),
            timeZone: try await WorkspaceService(services).timeZone(workspaceID: workspaceID), segments: saved)
    }

    /// A query checked for the viewer, as a list filter.
    /// - Throws: `invalid` with the query's issues.
    package func selection(_ viewer: Viewer, query: String, id: String = "") async throws -> SegmentSelection {
        let context = try await context(viewer)
        let filter: SegmentFilter
        do throws(SegmentIssues) {
            filter = try SegmentQuery.compile(query, context: context)
        } catch {
            throw RapportError(.invalid, "The segment's query has errors.", fields: Self.issues(error))
        }
        return SegmentSelection(
            id: id, filter: filter, companies: viewer.scopeIfAllowed(.read, on: .companies),
            orders: viewer.scopeIfAllowed(.read, on: .orders))
    }

    /// A saved segment as a list filter (`?segment_id=` on contacts' lists and exports).
    /// - Throws: `notFound`; `invalid` when its query no longer works for this viewer.
    package func selection(_ viewer: Viewer, id: String) async throws -> SegmentSelection {
        let segment = try await get(viewer, id: id)
        return try await selection(viewer, query: segment.query, id: segment.id)
    }

    /// How many contacts the viewer sees are in the segment now.
    package func count(_ viewer: Viewer, id: String) async throws -> Int {
        var query = ListQuery()
        query.segment = try await selection(viewer, id: id)
        return try await contacts.count(viewer, query: query)
    }

    /// How many contacts a query selects for the viewer, and the first `sample` of them (newest first).
    /// - Throws: `invalid` with the query's issues.
    package func preview(_ viewer: Viewer, query text: String, sample: Int = 10) async throws -> (
        count: Int, sample: [Record]
    ) {
        _ = try viewer.scope(.read, on: .contacts)
        var query = ListQuery()
        query.segment = try await selection(viewer, query: text)
        async let count = contacts.count(viewer, query: query)
        let page = try await contacts.list(viewer, query: query, limit: sample, after: nil)
        return (try await count, page.records)
    }

    /// Puts `?segment_id=` into a contacts list's query.
    /// - Throws: `notFound` for an unknown segment; `invalid` when it cannot be used by this viewer.
    package func apply(_ segmentID: String?, to query: inout ListQuery, viewer: Viewer) async throws {
        guard let segmentID, !segmentID.isEmpty else { return }
        query.segment = try await selection(viewer, id: segmentID)
    }
}

import Foundation
package import RapportCore
import RapportDatabase
import SQLKit

/// Saved segments (their queries), and what a checked segment selects: counts and pages of members.
package struct SegmentRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = "id, workspace_id, name, query, created_by, version, created_at, updated_at"

    /// The workspace's segments by name.
    package func all(workspaceID: String) async throws -> [Segment] {
        try await store.database.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM segments WHERE workspace_id = \(bind: workspaceID) ORDER BY name_key, id"
        ).all().map(Self.segment)
    }

    /// A segment of the workspace; nil for none (or another workspace's).
    package func find(workspaceID: String, id: String) async throws -> Segment? {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await store.database.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM segments WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first().map(Self.segment)
    }

    /// Saves a new segment.
    /// - Throws: `conflict` when the workspace has a segment of that name.
    package func create(_ segment: Segment) async throws {
        do {
            try await store.database.raw(
                """
                INSERT INTO segments (workspace_id, id, name, name_key, query, created_by, version, created_at, updated_at)
                VALUES (\(bind: segment.workspaceID), \(bind: segment.id), \(bind: segment.name),
                        \(bind: SearchKey.normalize(segment.name)), \(bind: segment.query), \(bind: segment.createdBy),
                        \(bind: segment.version), \(bind: segment.createdAt), \(bind: segment.updatedAt))
                """
            ).run()
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(segment.name)
        }
    }

    /// Writes a changed segment when it is still at `expectedVersion`.
    /// - Throws: `stale` when it changed meanwhile; `conflict` for a taken name.
    package func update(_ segment: Segment, expectedVersion: Int64) async throws {
        do {
            let updated = try await store.database.raw(
                """
                UPDATE segments SET name = \(bind: segment.name), name_key = \(bind: SearchKey.normalize(segment.name)),
                    query = \(bind: segment.query), version = \(bind: segment.version), updated_at = \(bind: segment.updatedAt)
                WHERE workspace_id = \(bind: segment.workspaceID) AND id = \(bind: segment.id) AND version = \(bind: expectedVersion)
                RETURNING id
                """
            ).all()
            guard !updated.isEmpty else {
                throw RapportError(.stale, "The segment was changed by someone else; reload it and try again.")
            }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(segment.name)
        }
    }

    /// Deletes a segment; false when the workspace has none with this id.
    package func delete(workspaceID: String, id: String) async throws -> Bool {
        guard RecordID.isWellFormed(id) else { return false }
        return
            !(try await store.database.raw(
                "DELETE FROM segments WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id"
            ).all()).isEmpty
    }

    static func nameTaken(_ name: String) -> RapportError {
        RapportError(
            .conflict, "Another segment is already called \(name).",
            fields: [FieldIssue("name", key: "segment_name_taken", "Another segment already has this name.")])
    }

    static func segment(_ row: any SQLRow) throws -> Segment {
        Segment(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            query: try row.decode(column: "query", as: String.self),
            createdBy: try row.decode(column: "created_by", as: String?.self),
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    // MARK: Members

    /// The ids of a segment's members the reach sees, newest first (the order lists default to); for tests
    /// and checks that compare whole memberships.
    package func memberIDs(_ filter: SegmentFilter, reach: SegmentReach) async throws -> [String] {
        let (condition, binds) = SegmentSQL.condition(filter, kind: store.kind, reach: reach)
        let (visible, visibleBinds) = reach.contacts.condition(prefix: "contacts.")
        let sql =
            "SELECT contacts.id FROM contacts WHERE \(visible) AND \(condition) ORDER BY contacts.created_at DESC, contacts.id DESC"
        let values = visibleBinds + binds
        return try await store.readRows { try await $0.rows(sql, values) }.compactMap { $0[0].text }
    }
}

package import RapportCore
package import SQLKit

/// The append-only timeline and the audit log.
package struct TimelineRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    package func append(_ events: [TimelineEvent], on database: any SQLDatabase) async throws {
        for event in events {
            try await database.raw(
                """
                INSERT INTO events (workspace_id, id, type, occurred_at, actor_type, actor_id, contact_id, company_id, data)
                VALUES (\(bind: event.workspaceID), \(bind: event.id), \(bind: event.type), \(bind: event.occurredAt),
                        \(bind: event.actor.type.rawValue), \(bind: event.actor.id), \(bind: event.contactID),
                        \(bind: event.companyID), \(bind: JSONText.encode(.object(event.data))))
                """
            ).run()
        }
    }

    /// Which events a timeline shows.
    package enum Subject: Sendable {
        case contact(String)
        /// The company's own events and those of its current contacts.
        case company(String)
    }

    /// A page of a timeline, newest first by `occurred_at`, ties broken by insertion order (the ids are
    /// time-ordered and monotonic within a process).
    package func page(
        workspaceID: String, subject: Subject, types: [String], limit: Int, after: PageKey?
    ) async throws -> Page<TimelineEvent> {
        var sql: SQLQueryString =
            "SELECT id, workspace_id, type, occurred_at, actor_type, actor_id, contact_id, company_id, data FROM events WHERE workspace_id = \(bind: workspaceID)"
        switch subject {
        case .contact(let id):
            sql = sql + " AND contact_id = \(bind: id)"
        case .company(let id):
            sql =
                sql
                + " AND (company_id = \(bind: id) OR contact_id IN (SELECT id FROM contacts WHERE workspace_id = \(bind: workspaceID) AND company_id = \(bind: id)))"
        }
        if !types.isEmpty { sql = sql + " AND type IN (\(binds: types))" }
        if let after {
            sql =
                sql
                + " AND (occurred_at < \(bind: after.createdAt) OR (occurred_at = \(bind: after.createdAt) AND id < \(bind: after.id)))"
        }
        sql = sql + " ORDER BY occurred_at DESC, id DESC LIMIT \(bind: limit + 1)"
        let events = try await store.database.raw(sql).all().map(Self.event(from:))
        return Page(fetched: events, limit: limit) { PageKey(createdAt: $0.occurredAt, id: $0.id) }
    }

    /// Moves one contact's (or company's) events to another, for merges.
    package func move(
        workspaceID: String, contactFrom: String? = nil, companyFrom: String? = nil, to target: String,
        on database: any SQLDatabase
    ) async throws {
        if let contactFrom {
            try await database.raw(
                "UPDATE events SET contact_id = \(bind: target) WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactFrom)"
            ).run()
        }
        if let companyFrom {
            try await database.raw(
                "UPDATE events SET company_id = \(bind: target) WHERE workspace_id = \(bind: workspaceID) AND company_id = \(bind: companyFrom)"
            ).run()
        }
    }

    static func actor(from row: any SQLRow) throws -> Actor {
        Actor(
            Actor.Kind(rawValue: try row.decode(column: "actor_type", as: String.self)) ?? .system,
            id: try row.decode(column: "actor_id", as: String?.self))
    }

    static func event(from row: any SQLRow) throws -> TimelineEvent {
        guard case .object(let data) = try JSONText.decode(try row.decode(column: "data", as: String.self)) else {
            throw JSONText.Malformed(offset: 0)
        }
        return TimelineEvent(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            type: try row.decode(column: "type", as: String.self),
            occurredAt: try row.decode(column: "occurred_at", as: Int64.self),
            actor: try actor(from: row),
            contactID: try row.decode(column: "contact_id", as: String?.self),
            companyID: try row.decode(column: "company_id", as: String?.self),
            data: data)
    }

    // MARK: Audit

    /// One audit entry: who changed which fields of which record, and how.
    package struct AuditEntry: Sendable, Equatable {
        package var id: String
        package var recordType: String
        package var recordID: String
        package var action: String
        package var actor: Actor
        package var changes: [FieldChange]
        package var at: Int64
    }

    package func audit(
        workspaceID: String, recordType: String, recordID: String, action: String, actor: Actor,
        changes: [FieldChange], at: Int64, on database: any SQLDatabase
    ) async throws {
        let changesJSON = JSONText.encode(
            .array(changes.map { .object(["field": .string($0.field), "old": $0.old, "new": $0.new]) }))
        try await database.raw(
            """
            INSERT INTO audit_log (workspace_id, id, record_type, record_id, action, actor_type, actor_id, changes, at)
            VALUES (\(bind: workspaceID), \(bind: RecordID.make()), \(bind: recordType), \(bind: recordID), \(bind: action),
                    \(bind: actor.type.rawValue), \(bind: actor.id), \(bind: changesJSON), \(bind: at))
            """
        ).run()
    }

    /// A record's audit entries, newest first.
    package func auditPage(workspaceID: String, recordID: String, limit: Int, after: PageKey?) async throws -> Page<
        AuditEntry
    > {
        var sql: SQLQueryString =
            "SELECT id, record_type, record_id, action, actor_type, actor_id, changes, at FROM audit_log WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID)"
        if let after {
            sql =
                sql
                + " AND (at < \(bind: after.createdAt) OR (at = \(bind: after.createdAt) AND id < \(bind: after.id)))"
        }
        sql = sql + " ORDER BY at DESC, id DESC LIMIT \(bind: limit + 1)"
        let entries = try await store.database.raw(sql).all().map { row in
            var changes: [FieldChange] = []
            if case .array(let items) = try JSONText.decode(try row.decode(column: "changes", as: String.self)) {
                for case .object(let item) in items {
                    if case .string(let field)? = item["field"] {
                        changes.append(FieldChange(field: field, old: item["old"] ?? .null, new: item["new"] ?? .null))
                    }
                }
            }
            return AuditEntry(
                id: try row.decode(column: "id", as: String.self),
                recordType: try row.decode(column: "record_type", as: String.self),
                recordID: try row.decode(column: "record_id", as: String.self),
                action: try row.decode(column: "action", as: String.self),
                actor: try Self.actor(from: row),
                changes: changes,
                at: try row.decode(column: "at", as: Int64.self))
        }
        return Page(fetched: entries, limit: limit) { PageKey(createdAt: $0.at, id: $0.id) }
    }
}

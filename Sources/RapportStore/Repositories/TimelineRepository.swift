package import RapportCore
package import RapportDatabase
package import SQLKit

/// The append-only timeline and the audit log.
package struct TimelineRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The columns of `events` that tie an event to a record, in table order.
    package static let subjectColumns = TimelineEvent.subjectColumns
    /// The columns of `events`, in the order new-row builders give them.
    package static let eventColumns =
        ["workspace_id", "id", "type", "occurred_at", "actor_type", "actor_id"] + subjectColumns + ["data"]
    /// The columns of `audit_log`, in the order new-row builders give them.
    static let auditColumns = [
        "workspace_id", "id", "record_type", "record_id", "action", "actor_type", "actor_id", "changes", "at",
    ]

    package func append(_ events: [TimelineEvent], on database: any SQLDatabase) async throws {
        for event in events {
            try await database.raw(
                """
                INSERT INTO events (workspace_id, id, type, occurred_at, actor_type, actor_id, contact_id, company_id, deal_id, data)
                VALUES (\(bind: event.workspaceID), \(bind: event.id), \(bind: event.type), \(bind: event.occurredAt),
                        \(bind: event.actor.type.rawValue), \(bind: event.actor.id), \(bind: event.contactID),
                        \(bind: event.companyID), \(bind: event.dealID), \(bind: JSONText.encode(.object(event.data))))
                """
            ).run()
        }
    }

    /// Appends many events with multi-row statements (an import's).
    package func append(_ events: [TimelineEvent], on session: RowSession) async throws {
        try await session.insert(into: "events", columns: Self.eventColumns, rows: Self.rows(of: events))
    }

    /// Events as rows of `eventColumns`.
    package static func rows(of events: [TimelineEvent]) -> [[DBValue]] {
        events.map { event in
            [
                .text(event.workspaceID), .text(event.id), .text(event.type), .int(event.occurredAt),
                .text(event.actor.type.rawValue), DBValue(event.actor.id),
            ] + subjectColumns.map { DBValue(event.recordID(column: $0)) } + [
                .text(JSONText.encode(.object(event.data)))
            ]
        }
    }

    /// Which events a timeline shows: a record's own, and those of the records that point to it and
    /// have a timeline of their own (a company's shows its current contacts' events).
    package struct Subject: Sendable {
        package var type: ObjectType
        package var id: String

        package init(_ type: ObjectType, id: String) {
            self.type = type
            self.id = id
        }
    }

    /// A page of a timeline, newest first by `occurred_at`, ties broken by insertion order (the ids are
    /// time-ordered and monotonic within a process).
    /// - Parameter reaches: the viewer's read scope on each object, by name; an object missing is one the
    ///   viewer may not read. Events of records outside them (a contact the viewer may not see, on its
    ///   company's timeline) are left out.
    package func page(
        reaches: [String: RecordScope], workspaceID: String, subject: Subject, types: [String], limit: Int,
        after: PageKey?
    ) async throws -> Page<TimelineEvent> {
        var sql: SQLQueryString =
            "SELECT id, workspace_id, type, occurred_at, actor_type, actor_id, contact_id, company_id, deal_id, data FROM events WHERE workspace_id = \(bind: workspaceID)"
        guard let column = subject.type.timeline?.column, Self.subjectColumns.contains(column) else {
            return Page(fetched: [], limit: limit) { PageKey(createdAt: $0.occurredAt, id: $0.id) }
        }
        var own: SQLQueryString = "\(ident: column) = \(bind: subject.id)"
        for (referrer, field) in ObjectCatalog.referrers(of: subject.type.name) {
            guard let theirs = referrer.timeline?.column, Self.subjectColumns.contains(theirs) else { continue }
            own =
                own
                + " OR \(ident: theirs) IN (SELECT id FROM \(ident: referrer.name) WHERE workspace_id = \(bind: workspaceID) AND \(ident: field) = \(bind: subject.id))"
        }
        for (referrer, field) in ObjectCatalog.listReferrers(of: subject.type.name) {
            guard let theirs = referrer.timeline?.column, Self.subjectColumns.contains(theirs) else { continue }
            own =
                own
                + " OR \(ident: theirs) IN (SELECT record_id FROM record_links WHERE workspace_id = \(bind: workspaceID) AND target_id = \(bind: subject.id) AND object = \(bind: referrer.name) AND field = \(bind: field))"
        }
        sql = sql + " AND (" + own + ")" + Self.visibleSubjects(reaches, except: column)
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

    /// What others did since `since` on the records a user owns or follows, newest first.
    ///
    /// Owned and followed records are read apart, each starting from the user's records and reading
    /// their events by index: started from the events, the database read every recent event of the
    /// workspace (0.3–0.5 s a query at a million events).
    package func watchedChanges(
        reaches: [String: RecordScope], workspaceID: String, userID: String, since: Int64, limit: Int
    ) async throws -> [TimelineEvent] {
        var events: [String: TimelineEvent] = [:]
        let columns =
            "e.id, e.workspace_id, e.type, e.occurred_at, e.actor_type, e.actor_id, e.contact_id, e.company_id, e.deal_id, e.data"
        for type in ObjectCatalog.all {
            guard let column = type.timeline?.column, Self.subjectColumns.contains(column) else { continue }
            let visible = Self.visibleSubjects(reaches, except: nil, alias: "e.")
            var queries: [SQLQueryString] = [
                """
                SELECT \(unsafeRaw: columns) FROM follows f
                \(unsafeRaw: store.kind.leftFirstJoin) events e ON e.workspace_id = f.workspace_id AND e.\(ident: column) = f.record_id
                WHERE f.workspace_id = \(bind: workspaceID) AND f.user_id = \(bind: userID) AND f.object = \(bind: type.name)
                AND e.occurred_at > \(bind: since) AND NOT (e.actor_type = 'user' AND e.actor_id = \(bind: userID))\(visible)
                ORDER BY e.occurred_at DESC, e.id DESC LIMIT \(bind: limit)
                """
            ]
            if type.field("owner_id") != nil {
                queries.append(
                    """
                    SELECT \(unsafeRaw: columns) FROM \(ident: type.name) r
                    \(unsafeRaw: store.kind.leftFirstJoin) events e ON e.workspace_id = r.workspace_id AND e.\(ident: column) = r.id
                    WHERE r.workspace_id = \(bind: workspaceID) AND r.owner_id = \(bind: userID) AND e.occurred_at > \(bind: since)
                    AND NOT (e.actor_type = 'user' AND e.actor_id = \(bind: userID))\(visible)
                    ORDER BY e.occurred_at DESC, e.id DESC LIMIT \(bind: limit)
                    """)
            }
            for query in queries {
                for row in try await store.database.raw(query).all() {
                    let event = try Self.event(from: row)
                    events[event.id] = event
                }
            }
        }
        return Array(events.values.sorted { ($0.occurredAt, $0.id) > ($1.occurredAt, $1.id) }.prefix(limit))
    }

    /// ` AND …` keeping only events whose records (each subject column but `except`) the viewer may see.
    static func visibleSubjects(_ reaches: [String: RecordScope], except: String?, alias: String = "")
        -> SQLQueryString
    {
        var sql: SQLQueryString = ""
        for type in ObjectCatalog.all {
            guard let column = type.timeline?.column, column != except, subjectColumns.contains(column) else {
                continue
            }
            guard let reach = reaches[type.name] else {
                sql = sql + " AND \(unsafeRaw: alias)\(ident: column) IS NULL"
                continue
            }
            guard reach.visibilityCondition(owned: type.isOwned) != nil else { continue }
            sql =
                sql
                + " AND (\(unsafeRaw: alias)\(ident: column) IS NULL OR \(unsafeRaw: alias)\(ident: column) IN (SELECT id FROM \(ident: type.name) WHERE \(reach.sql(owned: type.isOwned, ownerColumn: type.ownerField))))"
        }
        return sql
    }

    /// Whether an import already recorded an `imported` event on a record (one per record and import).
    package static func hasImported(
        workspaceID: String, column: String, recordID: String, importID: String, on session: RowSession
    ) async throws -> Bool {
        guard subjectColumns.contains(column) else { return false }
        return try await !session.rows(
            "SELECT 1 FROM events WHERE workspace_id = ? AND \(column) = ? AND type = 'imported' AND data LIKE ? LIMIT 1",
            [.text(workspaceID), .text(recordID), .text("%\"import_id\":\"\(importID)\"%")]
        ).isEmpty
    }

    /// Moves one record's events to another, for merges.
    /// - Parameter column: the record's object's timeline column (`contact_id`).
    package func move(
        workspaceID: String, column: String, from: String, to target: String, on database: any SQLDatabase
    ) async throws {
        guard Self.subjectColumns.contains(column) else { return }
        try await database.raw(
            "UPDATE events SET \(ident: column) = \(bind: target) WHERE workspace_id = \(bind: workspaceID) AND \(ident: column) = \(bind: from)"
        ).run()
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
            dealID: try row.decode(column: "deal_id", as: String?.self),
            data: data)
    }

    // MARK: Audit

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

    /// The record a merged-away record was merged into, from its audit entry; nil when it never was.
    package func mergedInto(workspaceID: String, recordID: String) async throws -> String? {
        let row = try await store.database.raw(
            """
            SELECT changes FROM audit_log
            WHERE workspace_id = \(bind: workspaceID) AND record_id = \(bind: recordID) AND action = 'merged'
            ORDER BY at DESC, id DESC LIMIT 1
            """
        ).first()
        guard let text = try row?.decode(column: "changes", as: String.self),
            case .array(let changes) = try JSONText.decode(text)
        else { return nil }
        for case .object(let change) in changes where change["field"] == .string("merged_into") {
            if case .string(let id)? = change["new"] { return id }
        }
        return nil
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

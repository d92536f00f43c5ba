import Foundation
package import RapportCore
package import RapportDatabase
package import RapportStore
import SQLKit

/// The rules every record goes through, whatever its object: validation, references, unique keys,
/// links by domain, the timeline and the audit log, each write in one transaction. The API, the web
/// pages and the importer all call it; what differs between objects comes from their `ObjectType`.
package struct RecordService: Sendable {
    let services: Services
    package let schema: ObjectType
    package let repository: RecordRepository
    var timeline: TimelineRepository { TimelineRepository(store: services.store) }

    package init(_ services: Services, schema: ObjectType) {
        self.services = services
        self.schema = schema
        self.repository = RecordRepository(store: services.store, schema: schema)
    }

    /// The service of another object (what a reference points to, or what points here).
    func service(of type: ObjectType) -> RecordService { RecordService(services, schema: type) }

    /// The record, or `notFound` (also for another workspace's id, and for one the viewer may not see).
    /// Fields the viewer's role hides are left out.
    package func get(_ viewer: Viewer, id: String) async throws -> Record {
        guard let record = try await repository.find(try viewer.scope(.read, on: schema), id: id) else {
            throw RapportError.notFound(schema.the)
        }
        return viewer.redacted(record, schema)
    }

    /// `get` as the stored row, for an answer written straight from it (`StoredRecordBody`).
    package func getRow(_ viewer: Viewer, id: String) async throws -> [DBValue] {
        guard let row = try await repository.findRow(try viewer.scope(.read, on: schema), id: id) else {
            throw RapportError.notFound(schema.the)
        }
        return row
    }

    /// The record as it is inside a write, when the viewer may do `action` to it.
    /// - Throws: `notFound` when the viewer cannot see it; `forbidden` when they see it but may not change it.
    func requireChangeable(
        _ viewer: Viewer, id: String, action: RecordAction, on database: any SQLDatabase
    ) async throws -> Record {
        let reach = try viewer.scope(action, on: schema)
        if let record = try await repository.find(reach, id: id, on: database) { return record }
        let read = try viewer.scope(.read, on: schema)
        if read != reach, try await repository.find(read, id: id, on: database) != nil {
            throw Viewer.notYours(schema, reach.visibility)
        }
        throw RapportError.notFound(schema.the)
    }

    func customFields(workspaceID: String, on database: (any SQLDatabase)?) async throws -> [CustomFieldDefinition] {
        try await CustomFieldRepository(store: services.store).all(
            workspaceID: workspaceID, object: schema.name, on: database)
    }

    /// The workspace's custom fields of this object.
    package func customFields(workspaceID: String) async throws -> [CustomFieldDefinition] {
        try await customFields(workspaceID: workspaceID, on: nil)
    }

    // MARK: Create

    /// Creates a record from a JSON object of its fields. The viewer owns it unless the fields name
    /// another owner, and it belongs to its owner's primary team unless they name a team.
    package func create(_ viewer: Viewer, fields patch: [String: JSONValue], actor: Actor) async throws -> Record {
        let workspaceID = viewer.workspaceID
        guard viewer.allows(.create, on: schema) else { throw Viewer.refusal(.create, on: schema) }
        try viewer.requireWritable(patch.keys.filter { $0 != "custom" } + Self.customKeys(patch), on: schema)
        let now = Timestamp.micros(Date())
        // Read and check on a reading connection first, so that the one writer only writes.
        let reader = services.store.database
        let definitions = try await customFields(workspaceID: workspaceID)
        var record = try await prepareNew(
            viewer, fields: patch, definitions: definitions, now: now, on: reader)
        try await fillOwnership(&record, viewer: viewer, patch: patch)
        try await linkByDomain(&record)
        try await effects.prepare(&record, before: nil, viewer: viewer, services: services, now: now, on: reader)
        if schema.hasUniqueEmails,
            let owner = try await repository.emailOwner(workspaceID: workspaceID, emails: record.allEmails)
        {
            throw try await duplicateEmail(owner, viewer: viewer)
        }
        try await requireFreeKeys(record, viewer: viewer, on: nil)
        let prepared = record
        // (built here, so that the one writer's thread only writes)
        let rows = repository.newRows([prepared], actor: actor, now: now, importID: nil, referenceTitles: [:])
        let repository = self.repository
        let (effects, services, timeline) = (self.effects, self.services, self.timeline)
        return try await writeRows { session in
            // What it points to may have gone since it was checked: checked again with the write.
            // (A taken address or key fails on its unique index.)
            try await check(references(of: prepared), viewer: viewer, on: session.sql)
            try await repository.insert(rows, on: session)
            if schema.hasListReferences {
                try await RecordLinkRepository(store: services.store).replace(prepared, type: schema, on: session.sql)
            }
            let events = try await effects.written(
                prepared, before: nil, actor: actor, services: services, now: now, on: session.sql)
            if !events.isEmpty { try await timeline.append(events, on: session.sql) }
            try await NotificationService(services).recordCreated(
                prepared, schema: schema, actor: actor, on: session.sql)
            return prepared
        }
    }

    /// Writes a new record that another record's write makes (the order a won deal records), inside that
    /// write's transaction: its row, search document and links, its `created` event and those of its
    /// effects, and its audit entry. The record is complete and checked already.
    func insert(_ record: Record, actor: Actor, now: Int64, on database: any SQLDatabase) async throws {
        try await repository.insert(record, on: database)
        try await reindex(record, on: database)
        if schema.hasListReferences {
            try await RecordLinkRepository(store: services.store).replace(record, type: schema, on: database)
        }
        var events: [TimelineEvent] = []
        if schema.timeline != nil { events.append(event("created", for: record, actor: actor, at: now, data: [:])) }
        events += try await effects.written(
            record, before: nil, actor: actor, services: services, now: now, on: database)
        if !events.isEmpty { try await timeline.append(events, on: database) }
        let changes = FieldChange.between(
            Record.empty(schema, workspaceID: record.workspaceID, now: now), record, schema: schema)
        try await timeline.audit(
            workspaceID: record.workspaceID, recordType: schema.recordType, recordID: record.id, action: "created",
            actor: actor, changes: changes, at: now, on: database)
    }

    /// A new record from fields, validated, its references checked; nothing is written.
    func prepareNew(
        _ viewer: Viewer, fields patch: [String: JSONValue], definitions: [CustomFieldDefinition], now: Int64,
        on database: any SQLDatabase
    ) async throws -> Record {
        var record = Record.empty(schema, workspaceID: viewer.workspaceID, now: now)
        let references = try RecordPatch.apply(patch, to: &record, schema: schema, customFields: definitions)
        // (completed first, so that the rules check what will be written)
        schema.rules.prepare(&record, before: nil, now: now)
        try requireIdentity(record)
        try await check(references, viewer: viewer, on: database)
        return record
    }

    /// Every reference a record holds.
    func references(of record: Record) -> RecordPatch.References {
        var references = RecordPatch.References()
        for field in schema.fields {
            if case .reference(let table) = field.kind, let id = record.string(field.name) {
                references.ids[field.name] = (table, id)
            }
            if let listed = field.kind.listedReferences(in: record[field.name]), !listed.ids.isEmpty {
                references.lists[field.name] = listed
            }
        }
        return references
    }

    // MARK: Update

    /// Applies a JSON merge patch.
    /// - Parameter expectedVersion: from `If-Match`; nil skips the check.
    package func update(
        _ viewer: Viewer, id: String, patch: [String: JSONValue], expectedVersion: Int64?, actor: Actor
    ) async throws -> Record {
        let workspaceID = viewer.workspaceID
        let now = Timestamp.micros(Date())
        return try await write { database in
            let before = try await requireChangeable(viewer, id: id, action: .edit, on: database)
            try viewer.requireWritable(patch.keys.filter { $0 != "custom" } + Self.customKeys(patch), on: schema)
            var record = before
            let definitions = try await customFields(workspaceID: workspaceID, on: database)
            let references = try RecordPatch.apply(patch, to: &record, schema: schema, customFields: definitions)
            if let expectedVersion, expectedVersion != before.version {
                throw RapportError(
                    .stale, "The record has changed since it was read (If-Match does not match its ETag).")
            }
            schema.rules.prepare(&record, before: before, now: now)
            try requireIdentity(record)
            try await check(references, viewer: viewer, on: database)
            try await effects.prepare(
                &record, before: before, viewer: viewer, services: services, now: now, on: database)
            let saved = try await save(
                record, before: before, now: now, actor: actor, action: "updated", viewer: viewer, on: database)
            return viewer.redacted(saved, schema)
        }
    }

    /// Writes a changed record with its `updated` event (and those its rules add) and audit entry.
    func save(
        _ record: Record, before: Record, now: Int64, actor: Actor, action: String, extraEvents: [TimelineEvent] = [],
        viewer: Viewer, on database: any SQLDatabase
    ) async throws -> Record {
        var record = record
        let changes = FieldChange.between(before, record, schema: schema)
        guard !changes.isEmpty || !extraEvents.isEmpty else { return before }
        record.version = before.version + 1
        record.updatedAt = max(now, before.updatedAt + 1)
        if schema.hasUniqueEmails, record.allEmails != before.allEmails {
            if let owner = try await repository.claimEmails(
                workspaceID: record.workspaceID, contactID: record.id, emails: record.allEmails, on: database)
            {
                throw try await duplicateEmail(owner, viewer: viewer, on: database)
            }
        }
        try await requireFreeKeys(record, viewer: viewer, on: database)
        guard try await repository.update(record, expectedVersion: before.version, on: database) else {
            throw RapportError(.stale, "The record has changed since it was read; reload it and try again.")
        }
        try await reindex(record, on: database)
        if schema.hasListReferences {
            try await RecordLinkRepository(store: services.store).replace(record, type: schema, on: database)
        }
        if schema.duplicateKeys(of: record) != schema.duplicateKeys(of: before) {
            try await DuplicateRepository(store: services.store).replaceKeys(of: record, type: schema, on: database)
        }
        if schema.title(of: record) != schema.title(of: before) || action == "merged" {
            try await reindexReferrers(of: record, on: database)
        }
        var events = extraEvents
        if !changes.isEmpty {
            let encoded = changes.map { JSONValue.object(["field": .string($0.field), "old": $0.old, "new": $0.new]) }
            events.append(event("updated", for: record, actor: actor, at: now, data: ["changes": .array(encoded)]))
        }
        for extra in schema.rules.events(after: record, before: before) {
            events.append(event(extra.type, for: record, actor: actor, at: now, data: extra.data))
        }
        if schema.timeline != nil { try await timeline.append(events, on: database) }
        // (events of its effects may belong to other records' timelines: a task's on its contact's)
        let effected = try await effects.written(
            record, before: before, actor: actor, services: services, now: now, on: database)
        if !effected.isEmpty { try await timeline.append(effected, on: database) }
        try await timeline.audit(
            workspaceID: record.workspaceID, recordType: schema.recordType, recordID: record.id, action: action,
            actor: actor, changes: changes, at: now, on: database)
        try await NotificationService(services).recordChanged(
            record, changes: changes, schema: schema, actor: actor, on: database)
        return record
    }

    // MARK: Delete

    package func delete(_ viewer: Viewer, id: String, expectedVersion: Int64?, actor: Actor) async throws {
        let workspaceID = viewer.workspaceID
        let now = Timestamp.micros(Date())
        try await write { database in
            let record = try await requireChangeable(viewer, id: id, action: .delete, on: database)
            if let expectedVersion, expectedVersion != record.version {
                throw RapportError(
                    .stale, "The record has changed since it was read (If-Match does not match its ETag).")
            }
            try await remove(record, on: database)
            try await timeline.audit(
                workspaceID: workspaceID, recordType: schema.recordType, recordID: id, action: "deleted", actor: actor,
                changes: [], at: now, on: database)
        }
    }

    /// Deletes a record, its search document, its addresses, its duplicate keys and the pairs with it
    /// that were dismissed; what pointed to it points nowhere.
    func remove(_ record: Record, on database: any SQLDatabase) async throws {
        try await effects.removing(record, services: services, on: database)
        try await repository.delete(workspaceID: record.workspaceID, id: record.id, on: database)
        try await SearchRepository(store: services.store).remove(
            workspaceID: record.workspaceID, recordID: record.id, on: database)
        if !schema.duplicates.isEmpty {
            try await DuplicateRepository(store: services.store).forget(
                workspaceID: record.workspaceID, object: schema.name, recordID: record.id, on: database)
        }
        if schema.hasUniqueEmails {
            _ = try await repository.claimEmails(
                workspaceID: record.workspaceID, contactID: record.id, emails: [], on: database)
        }
        if schema.hasListReferences {
            try await RecordLinkRepository(store: services.store).remove(
                workspaceID: record.workspaceID, object: schema.name, recordID: record.id, on: database)
        }
        try await moveReferrers(of: record, to: nil, on: database)
        try await FollowRepository(store: services.store).forget(
            workspaceID: record.workspaceID, object: schema.name, recordID: record.id, on: database)
    }

    /// Points the records that refer to `record` (a company's contacts) to `target`, re-indexing those
    /// whose search document carries its title.
    func moveReferrers(of record: Record, to target: String?, on database: any SQLDatabase) async throws {
        for (type, field) in ObjectCatalog.referrers(of: schema.name) {
            let referrers = service(of: type)
            let affected =
                type.search.reference == field && target == nil
                ? try await referrers.repository.records(
                    where: field, is: record.id, workspaceID: record.workspaceID, on: database) : []
            try await referrers.repository.moveReferences(
                field, from: record.id, to: target, workspaceID: record.workspaceID, on: database)
            for rule in type.duplicates where rule.within == field {
                try await DuplicateRepository(store: services.store).moveScope(
                    workspaceID: record.workspaceID, object: type.name, rule: rule.name, from: record.id, to: target,
                    on: database)
            }
            for var referrer in affected {
                referrer.values[field] = .null
                try await referrers.reindex(referrer, on: database)
            }
        }
        for (type, field) in ObjectCatalog.listReferrers(of: schema.name) {
            try await service(of: type).repoint(
                field, from: record.id, to: target, workspaceID: record.workspaceID, on: database)
        }
    }

    /// Re-points the lists of references in `field` that hold `from` to `target`: a deal's contacts after
    /// a merge (or without the contact when it is deleted). Line items keep a deleted product's id, as
    /// the record of what was sold.
    func repoint(_ field: String, from: String, to target: String?, workspaceID: String, on database: any SQLDatabase)
        async throws
    {
        let links = RecordLinkRepository(store: services.store)
        let ids = try await links.records(
            linking: from, object: schema.name, field: field, workspaceID: workspaceID, on: database)
        for id in ids {
            guard var record = try await repository.find(.all(workspaceID), id: id, on: database) else { continue }
            let before = record
            switch schema.field(field)?.kind {
            case .referenceList?:
                var list = record.strings(field).compactMap { $0 == from ? target : $0 }
                list = list.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
                record.values[field] = .array(list.map(JSONValue.string))
                if case .object(var roles) = record["contact_roles"], let role = roles.removeValue(forKey: from) {
                    if let target, roles[target] == nil { roles[target] = role }
                    record.values["contact_roles"] = .object(roles)
                }
            case .lineItems? where target != nil:
                guard case .array(let lines) = record[field] else { continue }
                record.values[field] = .array(
                    lines.map { line in
                        guard case .object(var members) = line, members["product_id"] == .string(from) else {
                            return line
                        }
                        members["product_id"] = target.map(JSONValue.string) ?? .null
                        return .object(members)
                    })
            default:
                continue
            }
            guard record != before else { continue }
            record.version += 1
            record.updatedAt = max(Timestamp.micros(Date()), before.updatedAt + 1)
            _ = try await repository.update(record, expectedVersion: before.version, on: database)
            try await links.replace(record, type: schema, on: database)
        }
    }

    // MARK: Merge

    /// Merges `otherID` into `id`: chosen values (by default this record's, its empty fields filled from
    /// the other), lists united, the other's timeline and referrers moved, then the other deleted.
    package func merge(
        _ viewer: Viewer, id: String, otherID: String, prefer: [String: String], actor: Actor
    ) async throws -> Record {
        let workspaceID = viewer.workspaceID
        // (whether the viewer may merge this record at all comes before what they asked for)
        _ = try await requireChangeable(viewer, id: id, action: .merge, on: services.store.database)
        var issues: [FieldIssue] = []
        let customKeys = Set(try await customFields(workspaceID: workspaceID).map { "custom.\($0.key)" })
        if otherID == id { issues.append(FieldIssue("other_id", "A record cannot be merged with itself.")) }
        for (field, choice) in prefer.sorted(by: { $0.key < $1.key }) {
            let known = schema.field(field)?.writable == true || customKeys.contains(field)
            if !known { issues.append(FieldIssue("prefer.\(field)", "Unknown field.")) }
            if choice != "this" && choice != "other" {
                issues.append(FieldIssue("prefer.\(field)", "Must be this or other."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let now = Timestamp.micros(Date())
        return try await write { database in
            let keep = try await requireChangeable(viewer, id: id, action: .merge, on: database)
            let other = try await requireChangeable(viewer, id: otherID, action: .merge, on: database)
            var merged = Self.combine(keep, other, prefer: prefer, schema: schema)
            schema.rules.merged(&merged, keep: keep, other: other)
            if let column = schema.timeline?.column {
                try await timeline.move(
                    workspaceID: workspaceID, column: column, from: other.id, to: keep.id, on: database)
            }
            try await moveReferrers(of: other, to: keep.id, on: database)
            try await FollowRepository(store: services.store).move(
                workspaceID: workspaceID, object: schema.name, from: other.id, to: keep.id, on: database)
            try await effects.merging(other, into: keep, services: services, on: database)
            try await remove(other, on: database)
            let mergedEvent = event(
                "merged", for: keep, actor: actor, at: now,
                data: ["other_id": .string(other.id), "other": .object(other.values.filter { $0.value != .null })])
            try await timeline.audit(
                workspaceID: workspaceID, recordType: schema.recordType, recordID: other.id, action: "merged",
                actor: actor, changes: [FieldChange(field: "merged_into", old: .null, new: .string(keep.id))], at: now,
                on: database)
            let saved = try await save(
                merged, before: keep, now: now, actor: actor, action: "merged", extraEvents: [mergedEvent],
                viewer: viewer, on: database)
            return viewer.redacted(saved, schema)
        }
    }

    /// The merged values: preferred ones, empty fields filled, lists united.
    static func combine(_ keep: Record, _ other: Record, prefer: [String: String], schema: ObjectType) -> Record {
        var merged = keep
        func isEmpty(_ value: JSONValue) -> Bool { value == .null || value == .array([]) || value == .object([:]) }
        for field in schema.fields where field.writable {
            let name = field.name
            switch field.kind {
            case .tags, .emailList, .phones:
                var items: [JSONValue] = []
                let first = prefer[name] == "other" ? other[name] : keep[name]
                let second = prefer[name] == "other" ? keep[name] : other[name]
                for case .array(let list) in [first, second] {
                    for item in list where !items.contains(item) {
                        if case .object(let phone) = item,
                            items.contains(where: { existing in
                                if case .object(let known) = existing { return known["number"] == phone["number"] }
                                return false
                            })
                        {
                            continue
                        }
                        items.append(item)
                    }
                }
                merged.values[name] = .array(items)
            case .stringMap:
                if case .object(let mine) = keep[name], case .object(let theirs) = other[name] {
                    merged.values[name] = .object(
                        prefer[name] == "other"
                            ? mine.merging(theirs) { _, new in new } : theirs.merging(mine) { _, new in new })
                }
            default:
                let keepEmpty = isEmpty(keep[name]) || keep[name] == field.defaultValue
                let otherEmpty = isEmpty(other[name]) || other[name] == field.defaultValue
                if prefer[name] == "other" || (prefer[name] == nil && keepEmpty && !otherEmpty) {
                    merged.values[name] = other[name]
                }
                if prefer[name] == "other", field.defaultValue != nil, other[name] == .null {
                    merged.values[name] = keep[name]
                }
            }
        }
        for key in Set(keep.custom.keys).union(other.custom.keys) {
            let choice = prefer["custom.\(key)"]
            if choice == "other" || (choice == nil && keep.custom[key] == nil) {
                merged.custom[key] = other.custom[key] ?? (choice == "other" ? nil : keep.custom[key])
            }
        }
        return merged
    }

    // MARK: Activities

    /// Logs a note, call, meeting or email on a record's timeline.
    package func addActivity(_ viewer: Viewer, id: String, draft: ActivityDraft, actor: Actor) async throws
        -> TimelineEvent
    {
        let now = Timestamp.micros(Date())
        let record = try await get(viewer, id: id)
        guard let link = schema.timeline else { throw RapportError.notFound("The timeline") }
        let valid = try draft.validate(now: now)
        var activity = event(valid.type, for: record, actor: actor, at: valid.occurredAt, data: valid.data)
        for (field, column) in link.also {
            activity.set(column: column, to: record.string(field))
        }
        let added = activity
        try await write { database in
            try await timeline.append([added], on: database)
            try await NotificationService(services).activityAdded(
                added, on: record, schema: schema, actor: actor, on: database)
        }
        return added
    }

    // MARK: Helpers

    /// One transaction; a unique key violated by a concurrent writer (which the checks before writing
    /// cannot see under PostgreSQL's read committed) answers 409 like the checks themselves.
    func write<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        do {
            return try await services.store.transaction(body)
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(.conflict, schema.conflictMessage)
        }
    }

    /// `write` with a `RowSession`.
    package func writeRows<R: Sendable>(_ body: @escaping @Sendable (RowSession) async throws -> R) async throws -> R {
        do {
            return try await services.store.writeRows(body)
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(.conflict, schema.conflictMessage)
        }
    }

    /// Re-indexes the records whose search documents carry this record's title (a company's contacts).
    func reindexReferrers(of record: Record, on database: any SQLDatabase) async throws {
        for (type, field) in ObjectCatalog.referrers(of: schema.name) where type.search.reference == field {
            let referrers = service(of: type)
            for referrer in try await referrers.repository.records(
                where: field, is: record.id, workspaceID: record.workspaceID, on: database)
            {
                try await referrers.reindex(referrer, on: database)
            }
        }
    }

    /// Writes a record's search document (with the title of the record its search reference points to).
    func reindex(_ record: Record, on database: any SQLDatabase) async throws {
        var referenceTitle: String?
        if let reference = schema.search.reference, let target = record.string(reference),
            case .reference(let table)? = schema.field(reference)?.kind, let type = ObjectCatalog.named(table)
        {
            referenceTitle = try await RecordRepository(store: services.store, schema: type).title(
                workspaceID: record.workspaceID, id: target, on: database)
        }
        let document = SearchKey.document(for: record, type: schema, referenceTitle: referenceTitle)
        try await SearchRepository(store: services.store).index(
            workspaceID: record.workspaceID, recordID: record.id, recordType: schema.recordType, document: document,
            updatedAt: record.updatedAt, owner: (record.string(schema.ownerField), record.string("team_id")),
            on: database)
    }

    /// An event on the record's timeline.
    package func event(_ type: String, for record: Record, actor: Actor, at: Int64, data: [String: JSONValue])
        -> TimelineEvent
    {
        var event = TimelineEvent(
            workspaceID: record.workspaceID, type: type, occurredAt: at, actor: actor, contactID: nil, companyID: nil,
            data: data)
        if let column = schema.timeline?.column { event.set(column: column, to: record.id) }
        return event
    }

    /// At least one of the object's required fields must have a value, and its rules must accept it.
    package func requireIdentity(_ record: Record) throws {
        if let first = schema.required.first, schema.required.allSatisfy({ record[$0] == .null }) {
            throw RapportError.invalid([FieldIssue(first, key: "required_\(schema.name)", schema.requiredMessage)])
        }
        let issues = schema.rules.validate(record)
        if !issues.isEmpty { throw RapportError.invalid(issues) }
    }

    /// What a reference points to must exist in the workspace, and a record the viewer may see.
    func check(_ references: RecordPatch.References, viewer: Viewer, on database: any SQLDatabase) async throws {
        var issues: [FieldIssue] = []
        for (field, listed) in references.lists.sorted(by: { $0.key < $1.key }) {
            let target = ObjectCatalog.named(listed.table)
            let reach =
                target.flatMap { viewer.scopeIfAllowed(.read, on: $0) }
                ?? RecordScope(workspaceID: viewer.workspaceID, visibility: .own, userID: "")
            for id in listed.ids
            where try await !repository.exists(table: listed.table, reach: reach, id: id, on: database) {
                issues.append(FieldIssue(field, Self.missingReference(listed.table)))
                break
            }
        }
        for (field, reference) in references.ids.sorted(by: { $0.key < $1.key }) {
            let target = ObjectCatalog.named(reference.table)
            let reach =
                target.flatMap { viewer.scopeIfAllowed(.read, on: $0) }
                ?? RecordScope(workspaceID: viewer.workspaceID, visibility: .own, userID: "")
            if try await !repository.exists(table: reference.table, reach: reach, id: reference.id, on: database) {
                issues.append(FieldIssue(field, Self.missingReference(reference.table)))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
    }

    /// The message for a reference to nothing.
    package static func missingReference(_ table: String) -> String {
        switch table {
        case "users": "No such user in this workspace."
        case "teams": "No such team in this workspace."
        default: "No such \(ObjectCatalog.named(table)?.recordType ?? "record")."
        }
    }

    /// An empty reference filled from the domain of an address (never for free mail): a new contact
    /// joins the company whose domain its address has.
    func linkByDomain(_ record: inout Record) async throws {
        guard let link = schema.domainLink, record[link.field] == .null, let email = record.string(link.emailField),
            let domain = FreeMail.domain(of: email), !FreeMail.isFree(domain),
            let target = ObjectCatalog.named(link.target),
            let id = try await RecordRepository(store: services.store, schema: target).id(
                whereUnique: link.targetField, is: domain, workspaceID: record.workspaceID, on: nil)
        else { return }
        record.values[link.field] = .string(id)
    }

    /// The answer to an address another record has: naming that record only to a viewer who may see it.
    func duplicateEmail(_ owner: String, viewer: Viewer, on database: (any SQLDatabase)? = nil) async throws
        -> RapportError
    {
        let visible = try await isVisible(owner, to: viewer, on: database)
        return RapportError(
            .conflict, schema.conflictMessage,
            fields: [
                FieldIssue(
                    "email", key: "taken_email_\(schema.name)",
                    "Another \(schema.recordType) already has this address.")
            ],
            extras: visible ? ["existing_id": owner] : [:])
    }

    /// Whether the viewer may see the record with `id`.
    func isVisible(_ id: String, to viewer: Viewer, on database: (any SQLDatabase)? = nil) async throws -> Bool {
        guard let reach = viewer.scopeIfAllowed(.read, on: schema) else { return false }
        return try await repository.find(reach, id: id, on: database) != nil
    }

    /// The custom field keys a patch writes, as `custom.KEY`.
    static func customKeys(_ patch: [String: JSONValue]) -> [String] {
        guard case .object(let members)? = patch["custom"] else { return [] }
        return members.keys.map { "custom.\($0)" }
    }

    /// A new record's owner (the viewer, unless the fields name one) and team (its owner's first team,
    /// unless the fields name one).
    func fillOwnership(_ record: inout Record, viewer: Viewer, patch: [String: JSONValue]) async throws {
        guard schema.isOwned else { return }
        let ownerField = schema.ownerField
        if patch[ownerField] == nil, let userID = viewer.userID { record.values[ownerField] = .string(userID) }
        if patch["team_id"] == nil, let owner = record.string(ownerField) {
            let teams = try await TeamRepository(store: services.store).teams(
                of: owner, workspaceID: viewer.workspaceID)
            record.values["team_id"] = teams.first.map(JSONValue.string) ?? .null
        }
    }

    /// A unique field's value (a company's domain) may belong to no other record of the workspace.
    /// Checked before writing: on PostgreSQL a violated unique index would abort the whole transaction.
    func requireFreeKeys(_ record: Record, viewer: Viewer, on database: (any SQLDatabase)?) async throws {
        for (field, label) in schema.uniqueFields {
            guard let value = record.string(field),
                let existing = try await repository.id(
                    whereUnique: field, is: value, workspaceID: record.workspaceID, on: database),
                existing != record.id
            else { continue }
            let message = "Another \(schema.recordType) already has this \(label)."
            let visible = try await isVisible(existing, to: viewer, on: database)
            throw RapportError(
                .conflict, message, fields: [FieldIssue(field, key: "taken_\(schema.name)_\(field)", message)],
                extras: visible ? ["existing_id": existing] : [:])
        }
    }
}

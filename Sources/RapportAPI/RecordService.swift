import Foundation
package import RapportCore
package import RapportStore
import SQLKit

/// The rules for contacts and companies that the API, the web pages and the importer all go through:
/// validation, references, unique addresses and domains, domain linking, the timeline and the audit log,
/// each write in one transaction.
package struct RecordService: Sendable {
    let services: Services
    package let schema: RecordSchema
    package let repository: RecordRepository
    var timeline: TimelineRepository { TimelineRepository(store: services.store) }
    var isContacts: Bool { schema.object == "contacts" }

    package init(_ services: Services, schema: RecordSchema) {
        self.services = services
        self.schema = schema
        self.repository = RecordRepository(store: services.store, schema: schema)
    }

    package static func contacts(_ services: Services) -> RecordService { RecordService(services, schema: .contacts) }
    package static func companies(_ services: Services) -> RecordService { RecordService(services, schema: .companies) }

    /// The record, or `notFound` (also for another workspace's id).
    package func get(workspaceID: String, id: String) async throws -> Record {
        guard let record = try await repository.find(workspaceID: workspaceID, id: id) else {
            throw RapportError.notFound(isContacts ? "The contact" : "The company")
        }
        return record
    }

    /// `get` as the stored row, for an answer written straight from it (`StoredRecordBody`).
    func getRow(workspaceID: String, id: String) async throws -> [DBValue] {
        guard let row = try await repository.findRow(workspaceID: workspaceID, id: id) else {
            throw RapportError.notFound(isContacts ? "The contact" : "The company")
        }
        return row
    }

    func customFields(workspaceID: String, on database: (any SQLDatabase)?) async throws -> [CustomFieldDefinition] {
        try await CustomFieldRepository(store: services.store).all(
            workspaceID: workspaceID, object: schema.object, on: database)
    }

    /// The workspace's custom fields of this object.
    package func customFields(workspaceID: String) async throws -> [CustomFieldDefinition] {
        try await customFields(workspaceID: workspaceID, on: nil)
    }

    // MARK: Create

    /// Creates a record from a JSON object of its fields.
    package func create(workspaceID: String, fields patch: [String: JSONValue], actor: Actor) async throws -> Record {
        let now = Timestamp.micros(Date())
        // Read and check on a reading connection first, so that the one writer only writes.
        let reader = services.store.database
        let definitions = try await customFields(workspaceID: workspaceID)
        var record = try await prepareNew(
            workspaceID: workspaceID, fields: patch, definitions: definitions, now: now, on: reader)
        if isContacts { try await linkCompanyByDomain(&record, on: nil) }
        if isContacts, !record.allEmails.isEmpty {
            let emails = [DBValue.text(workspaceID)] + record.allEmails.map(DBValue.text)
            // (an index lookup per address: on the calling thread)
            let owners = try await services.store.bulkRead(inline: emails.count <= 50) { session in
                try await session.rows(
                    "SELECT contact_id FROM contact_emails WHERE workspace_id = ? AND email IN (\(BulkSession.placeholders(emails.count - 1)))",
                    emails)
            }
            if let owner = owners.first?.first?.text { throw duplicateEmail(owner) }
        }
        try await requireFreeDomain(record, on: nil)
        let prepared = record
        // (built here, so that the one writer's thread only writes)
        let rows = newRows([prepared], actor: actor, now: now, importID: nil, companyNames: [:])
        return try await writeBulk { session in
            // What it points to may have gone since it was checked: checked again with the write.
            // (A taken address or domain fails on its unique index.)
            var references = RecordPatch.References()
            for field in schema.fields {
                if case .reference(let table) = field.kind, let id = prepared.string(field.name) {
                    references.ids[field.name] = (table, id)
                }
            }
            try await check(references, workspaceID: workspaceID, on: session.sql)
            // The same rows as any new record, in a few multi-row statements.
            try await insert(rows, on: session)
            return prepared
        }
    }

    /// A new record from fields, validated, its references checked; nothing is written.
    func prepareNew(
        workspaceID: String, fields patch: [String: JSONValue], definitions: [CustomFieldDefinition], now: Int64,
        on database: any SQLDatabase
    ) async throws -> Record {
        var record = Record.empty(schema, workspaceID: workspaceID, now: now)
        let references = try RecordPatch.apply(patch, to: &record, schema: schema, customFields: definitions)
        try requireIdentity(record)
        try await check(references, workspaceID: workspaceID, on: database)
        if isContacts, record.string("email_consent") != "unknown" {
            record.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
        }
        return record
    }

    /// The rows that new records write: their own, their addresses, search documents (and on PostgreSQL
    /// their terms), one
    /// event each (`imported` carrying `importID`, else `created`) and an audit entry each. Built apart
    /// from the writing so that an import builds one batch while the database writes the previous one.
    package struct NewRows: Sendable {
        var records: [[DBValue]] = []
        var emails: [[DBValue]] = []
        var documents: [[DBValue]] = []
        var terms: [[DBValue]] = []
        var events: [[DBValue]] = []
        var audits: [[DBValue]] = []
        /// Contacts whose company's name was not known: indexed when written.
        var unindexed: [Record] = []
    }

    /// - Parameter companyNames: names of the companies the records point to, where known.
    package func newRows(
        _ records: [Record], actor: Actor, now: Int64, importID: String?, companyNames: [String: String]
    ) -> NewRows {
        var rows = NewRows()
        guard let workspaceID = records.first?.workspaceID else { return rows }
        let empty = Record.empty(schema, workspaceID: workspaceID, now: now)
        let actorType = DBValue.text(actor.type.rawValue)
        let actorID = DBValue(actor.id)
        let recordType = DBValue.text(schema.recordType)
        let workspace = DBValue.text(workspaceID)
        let type = DBValue.text(importID == nil ? "created" : "imported")
        let data = DBValue.text(
            JSONText.encode(
                importID.map { .object(["import_id": .string($0), "action": .string("created")]) } ?? .object([:])))
        for record in records {
            let id = DBValue.text(record.id)
            rows.records.append(repository.values(of: record))
            if isContacts {
                for email in record.allEmails { rows.emails.append([workspace, .text(email), id]) }
            }
            if isContacts, let company = record.string("company_id"), companyNames[company] == nil {
                rows.unindexed.append(record)
            } else {
                addDocument(
                    record, companyName: record.string("company_id").flatMap { companyNames[$0] }, to: &rows)
            }
            rows.events.append([
                workspace, .text(RecordID.make()), type, .int(now), actorType, actorID, isContacts ? id : .null,
                isContacts ? .null : id, data,
            ])
            let changes = FieldChange.between(empty, record, schema: schema).map {
                JSONValue.object(["field": .string($0.field), "old": $0.old, "new": $0.new])
            }
            rows.audits.append([
                workspace, .text(RecordID.make()), recordType, id, .text("created"), actorType, actorID,
                .text(JSONText.encode(.array(changes))), .int(now),
            ])
        }
        return rows
    }

    func addDocument(_ record: Record, companyName: String?, to rows: inout NewRows) {
        let document = SearchKey.document(for: record, isContact: isContacts, companyName: companyName)
        let workspace = DBValue.text(record.workspaceID)
        let id = DBValue.text(record.id)
        rows.documents.append([
            workspace, id, .text(schema.recordType), .text(document.nameKey), DBValue(document.emailKey),
            .text(document.displayName), .int(record.updatedAt), .text(document.storedTerms),
        ])
        // (SQLite indexes the document's terms with FTS5 instead; M0007)
        if services.store.kind == .postgres {
            for term in document.terms { rows.terms.append([workspace, .text(term), id]) }
        }
    }

    /// Writes new records' rows with multi-row statements. Uniqueness was checked before; a concurrent
    /// writer's duplicate fails the statement, and with it the transaction.
    package func insert(_ rows: NewRows, on session: BulkSession) async throws {
        var rows = rows
        if let workspaceID = rows.unindexed.first?.workspaceID {
            var names: [String: String] = [:]
            let ids = Array(Set(rows.unindexed.compactMap { $0.string("company_id") }))
            for chunk in ids.chunks(of: 5000) {
                for row in try await session.rows(
                    "SELECT id, name FROM companies WHERE workspace_id = ? AND id IN (\(BulkSession.placeholders(chunk.count)))",
                    [.text(workspaceID)] + chunk.map(DBValue.text))
                {
                    if let id = row[0].text { names[id] = row[1].text }
                }
            }
            for record in rows.unindexed {
                addDocument(record, companyName: record.string("company_id").flatMap { names[$0] }, to: &rows)
            }
        }
        try await session.insert(into: repository.table, columns: repository.columns, rows: rows.records)
        try await session.insert(
            into: "contact_emails", columns: ["workspace_id", "email", "contact_id"], rows: rows.emails)
        let documentColumns = [
            "workspace_id", "record_id", "record_type", "name_key", "email_key", "display_name", "updated_at", "terms",
        ]
        if session.kind == .sqlite {
            // Each workspace's documents take the next keys of its own range (M0009).
            for (workspaceID, documents) in Dictionary(grouping: rows.documents, by: { $0[0].text ?? "" }) {
                let last = try await SearchRepository.lastDocumentKey(workspaceID: workspaceID, on: session)
                try await session.insert(
                    into: "search_docs", columns: ["doc"] + documentColumns,
                    rows: documents.enumerated().map { [.int(last + 1 + Int64($0.offset))] + $0.element })
                if documents.count == 1 {
                    // One row as VALUES rather than INSERT … SELECT: a statement that may write several rows
                    // opens a statement savepoint, and FTS5 writes its pending terms out as a new segment at
                    // each savepoint. So the documents of the creates that share a commit reach the index as
                    // one segment, at the commit, instead of one segment each.
                    try await session.run(SearchRepository.indexDocument, [.int(last + 1), documents[0][7]])
                } else {
                    try await session.run(
                        SearchRepository.indexDocuments, [.int(last), .int(last + Int64(documents.count))])
                }
            }
        } else {
            try await session.insert(into: "search_docs", columns: documentColumns, rows: rows.documents)
            try await session.insert(
                into: "search_terms", columns: ["workspace_id", "term", "record_id"], rows: rows.terms)
        }
        try await session.insert(
            into: "events",
            columns: [
                "workspace_id", "id", "type", "occurred_at", "actor_type", "actor_id", "contact_id", "company_id",
                "data",
            ],
            rows: rows.events)
        try await session.insert(
            into: "audit_log",
            columns: [
                "workspace_id", "id", "record_type", "record_id", "action", "actor_type", "actor_id", "changes", "at",
            ],
            rows: rows.audits)
    }

    // MARK: Update

    /// Applies a JSON merge patch.
    /// - Parameter expectedVersion: from `If-Match`; nil skips the check.
    package func update(
        workspaceID: String, id: String, patch: [String: JSONValue], expectedVersion: Int64?, actor: Actor
    ) async throws -> Record {
        let now = Timestamp.micros(Date())
        return try await write { database in
            guard let before = try await repository.find(workspaceID: workspaceID, id: id, on: database) else {
                throw RapportError.notFound(isContacts ? "The contact" : "The company")
            }
            var record = before
            let definitions = try await customFields(workspaceID: workspaceID, on: database)
            let references = try RecordPatch.apply(patch, to: &record, schema: schema, customFields: definitions)
            if let expectedVersion, expectedVersion != before.version {
                throw RapportError(
                    .stale, "The record has changed since it was read (If-Match does not match its ETag).")
            }
            try requireIdentity(record)
            try await check(references, workspaceID: workspaceID, on: database)
            if isContacts, record["email_consent"] != before["email_consent"] {
                record.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
            }
            return try await save(record, before: before, now: now, actor: actor, action: "updated", on: database)
        }
    }

    /// Writes a changed record with its `updated` (and `lifecycle_changed`) events and audit entry.
    func save(
        _ record: Record, before: Record, now: Int64, actor: Actor, action: String, extraEvents: [TimelineEvent] = [],
        on database: any SQLDatabase
    ) async throws -> Record {
        var record = record
        let changes = FieldChange.between(before, record, schema: schema)
        guard !changes.isEmpty || !extraEvents.isEmpty else { return before }
        record.version = before.version + 1
        record.updatedAt = max(now, before.updatedAt + 1)
        if isContacts, record.allEmails != before.allEmails {
            if let owner = try await repository.claimEmails(
                workspaceID: record.workspaceID, contactID: record.id, emails: record.allEmails, on: database)
            {
                throw duplicateEmail(owner)
            }
        }
        try await requireFreeDomain(record, on: database)
        guard try await repository.update(record, expectedVersion: before.version, on: database) else {
            throw RapportError(.stale, "The record has changed since it was read; reload it and try again.")
        }
        try await reindex(record, on: database)
        if !isContacts, record["name"] != before["name"] || action == "merged" {
            try await reindexContacts(ofCompany: record.id, workspaceID: record.workspaceID, on: database)
        }
        var events = extraEvents
        if !changes.isEmpty {
            let encoded = changes.map { JSONValue.object(["field": .string($0.field), "old": $0.old, "new": $0.new]) }
            events.append(event("updated", for: record, actor: actor, at: now, data: ["changes": .array(encoded)]))
        }
        if isContacts, record["lifecycle_stage"] != before["lifecycle_stage"] {
            events.append(
                event(
                    "lifecycle_changed", for: record, actor: actor, at: now,
                    data: ["from": before["lifecycle_stage"], "to": record["lifecycle_stage"]]))
        }
        try await timeline.append(events, on: database)
        try await timeline.audit(
            workspaceID: record.workspaceID, recordType: schema.recordType, recordID: record.id, action: action,
            actor: actor, changes: changes, at: now, on: database)
        return record
    }

    // MARK: Delete

    package func delete(workspaceID: String, id: String, expectedVersion: Int64?, actor: Actor) async throws {
        let now = Timestamp.micros(Date())
        try await write { database in
            guard let record = try await repository.find(workspaceID: workspaceID, id: id, on: database) else {
                throw RapportError.notFound(isContacts ? "The contact" : "The company")
            }
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

    func remove(_ record: Record, on database: any SQLDatabase) async throws {
        try await repository.delete(workspaceID: record.workspaceID, id: record.id, on: database)
        try await SearchRepository(store: services.store).remove(
            workspaceID: record.workspaceID, recordID: record.id, on: database)
        if isContacts {
            _ = try await repository.claimEmails(
                workspaceID: record.workspaceID, contactID: record.id, emails: [], on: database)
        } else {
            let people = try await RecordService.contacts(services).repository.contacts(
                ofCompany: record.id, workspaceID: record.workspaceID, on: database)
            try await repository.moveContacts(workspaceID: record.workspaceID, from: record.id, to: nil, on: database)
            let contacts = RecordService.contacts(services)
            for var person in people {
                person.values["company_id"] = .null
                try await contacts.reindex(person, on: database)
            }
        }
    }

    // MARK: Merge

    /// Merges `otherID` into `id`: chosen values (by default this record's, its empty fields filled from
    /// the other), emails, phones and tags united, the other's timeline moved, then the other deleted.
    package func merge(
        workspaceID: String, id: String, otherID: String, prefer: [String: String], actor: Actor
    ) async throws -> Record {
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
            let what = isContacts ? "The contact" : "The company"
            guard let keep = try await repository.find(workspaceID: workspaceID, id: id, on: database) else {
                throw RapportError.notFound(what)
            }
            guard let other = try await repository.find(workspaceID: workspaceID, id: otherID, on: database) else {
                throw RapportError.notFound(what)
            }
            var merged = Self.combine(keep, other, prefer: prefer, schema: schema)
            if isContacts, merged["email_consent"] != keep["email_consent"] {
                merged.values["email_consent_changed_at"] = other["email_consent_changed_at"]
            }
            if isContacts {
                try await timeline.move(workspaceID: workspaceID, contactFrom: other.id, to: keep.id, on: database)
            } else {
                try await timeline.move(workspaceID: workspaceID, companyFrom: other.id, to: keep.id, on: database)
                try await repository.moveContacts(workspaceID: workspaceID, from: other.id, to: keep.id, on: database)
            }
            try await remove(other, on: database)
            let mergedEvent = event(
                "merged", for: keep, actor: actor, at: now,
                data: ["other_id": .string(other.id), "other": .object(other.values.filter { $0.value != .null })])
            try await timeline.audit(
                workspaceID: workspaceID, recordType: schema.recordType, recordID: other.id, action: "merged",
                actor: actor, changes: [FieldChange(field: "merged_into", old: .null, new: .string(keep.id))], at: now,
                on: database)
            return try await save(
                merged, before: keep, now: now, actor: actor, action: "merged", extraEvents: [mergedEvent], on: database
            )
        }
    }

    /// The merged values: preferred ones, empty fields filled, lists united.
    static func combine(_ keep: Record, _ other: Record, prefer: [String: String], schema: RecordSchema) -> Record {
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
        if schema.object == "contacts" {
            // The chosen primary address; every other address of both becomes additional.
            let primary = merged.string("email")
            let all = (keep.allEmails + other.allEmails).reduce(into: [String]()) {
                if !$0.contains($1) { $0.append($1) }
            }
            merged.values["additional_emails"] = .array(all.filter { $0 != primary }.map(JSONValue.string))
        }
        return merged
    }

    // MARK: Activities

    /// Logs a note, call, meeting or email on a record's timeline.
    package func addActivity(workspaceID: String, id: String, draft: ActivityDraft, actor: Actor) async throws
        -> TimelineEvent
    {
        let now = Timestamp.micros(Date())
        let record = try await get(workspaceID: workspaceID, id: id)
        let valid = try draft.validate(now: now)
        let activity = TimelineEvent(
            workspaceID: workspaceID, type: valid.type, occurredAt: valid.occurredAt, actor: actor,
            contactID: isContacts ? record.id : nil, companyID: isContacts ? record.string("company_id") : record.id,
            data: valid.data)
        try await write { database in try await timeline.append([activity], on: database) }
        return activity
    }

    // MARK: Helpers

    /// One transaction; a unique key violated by a concurrent writer (which the checks before writing
    /// cannot see under PostgreSQL's read committed) answers 409 like the checks themselves.
    func write<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        do {
            return try await services.store.transaction(body)
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(
                .conflict,
                isContacts
                    ? "Another contact already has this email address." : "Another company already has this domain.")
        }
    }

    /// `write` for a bulk session.
    func writeBulk<R: Sendable>(_ body: @escaping @Sendable (BulkSession) async throws -> R) async throws -> R {
        do {
            return try await services.store.bulkTransaction(body)
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw RapportError(
                .conflict,
                isContacts
                    ? "Another contact already has this email address." : "Another company already has this domain.")
        }
    }

    /// Re-indexes a company's contacts, whose documents carry the company's name.
    func reindexContacts(ofCompany companyID: String, workspaceID: String, on database: any SQLDatabase) async throws {
        let contacts = RecordService.contacts(services)
        for contact in try await RecordService.contacts(services).repository.contacts(
            ofCompany: companyID, workspaceID: workspaceID, on: database)
        {
            try await contacts.reindex(contact, on: database)
        }
    }

    /// Writes a record's search document (a contact's includes its company's name).
    func reindex(_ record: Record, on database: any SQLDatabase) async throws {
        var companyName: String?
        if isContacts, let companyID = record.string("company_id") {
            companyName = try await database.raw(
                "SELECT name FROM companies WHERE workspace_id = \(bind: record.workspaceID) AND id = \(bind: companyID)"
            ).first().flatMap { try $0.decode(column: "name", as: String?.self) }
        }
        let document = SearchKey.document(for: record, isContact: isContacts, companyName: companyName)
        try await SearchRepository(store: services.store).index(
            workspaceID: record.workspaceID, recordID: record.id, recordType: schema.recordType, document: document,
            updatedAt: record.updatedAt, on: database)
    }

    func event(_ type: String, for record: Record, actor: Actor, at: Int64, data: [String: JSONValue]) -> TimelineEvent
    {
        TimelineEvent(
            workspaceID: record.workspaceID, type: type, occurredAt: at, actor: actor,
            contactID: isContacts ? record.id : nil, companyID: isContacts ? nil : record.id, data: data)
    }

    func requireIdentity(_ record: Record) throws {
        if isContacts {
            if record["first_name"] == .null && record["last_name"] == .null && record["email"] == .null {
                throw RapportError.invalid([
                    FieldIssue("email", "A contact needs a first name, a last name or an email.")
                ])
            }
        } else if record["name"] == .null {
            throw RapportError.invalid([FieldIssue("name", "A company needs a name.")])
        }
    }

    func check(_ references: RecordPatch.References, workspaceID: String, on database: any SQLDatabase) async throws {
        var issues: [FieldIssue] = []
        for (field, reference) in references.ids.sorted(by: { $0.key < $1.key }) {
            if try await !repository.exists(
                table: reference.table, workspaceID: workspaceID, id: reference.id, on: database)
            {
                issues.append(
                    FieldIssue(
                        field, reference.table == "users" ? "No such user in this workspace." : "No such company."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
    }

    /// A new contact without a company joins the company whose domain its address has (never for free mail).
    func linkCompanyByDomain(_ record: inout Record, on database: (any SQLDatabase)?) async throws {
        guard record["company_id"] == .null, let email = record.string("email"),
            let domain = FreeMail.domain(of: email), !FreeMail.isFree(domain),
            let company = try await repository.company(domain: domain, workspaceID: record.workspaceID, on: database)
        else { return }
        record.values["company_id"] = .string(company)
    }

    func duplicateEmail(_ owner: String) -> RapportError {
        RapportError(
            .conflict, "Another contact already has this email address.",
            fields: [FieldIssue("email", "Another contact already has this address.")], extras: ["existing_id": owner])
    }

    /// A company's domain may belong to no other company of the workspace. Checked before writing: on
    /// PostgreSQL a violated unique index would abort the whole transaction.
    func requireFreeDomain(_ record: Record, on database: (any SQLDatabase)?) async throws {
        guard !isContacts, let domain = record.string("domain"),
            let existing = try await repository.company(domain: domain, workspaceID: record.workspaceID, on: database),
            existing != record.id
        else { return }
        throw RapportError(
            .conflict, "Another company already has this domain.",
            fields: [FieldIssue("domain", "Another company already has this domain.")],
            extras: ["existing_id": existing])
    }
}

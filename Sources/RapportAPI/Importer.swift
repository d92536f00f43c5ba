package import Foundation
package import RapportCore
import RapportStore
import SQLKit

/// What an import did (or, in a dry run, would do).
package struct ImportReport: Sendable, Equatable, Encodable {
    package struct RowError: Sendable, Equatable, Encodable {
        package var row: Int
        package var column: String
        package var message: String
    }

    package var created = 0
    package var updated = 0
    package var unchanged = 0
    package var rejected = 0
    package var skipped = 0
    package var companiesCreated = 0
    package var ignoredColumns: [String] = []
    package var errors: [RowError] = []

    enum CodingKeys: String, CodingKey {
        case created, updated, unchanged, rejected, skipped, errors
        case companiesCreated = "companies_created"
        case ignoredColumns = "ignored_columns"
    }

    /// The report as JSON, for a problem document's `report` member.
    package var json: JSONValue {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
    }
}

/// Imports a CSV file of contacts or companies, a batch of rows at a time.
///
/// First the file is scanned as CSV only: one that is not CSV or not UTF-8 is refused whole, naming the
/// row, before anything is written. A dry run, and a strict import, then check and count every row
/// without writing (strict refuses the file when any row is rejected). Then the rows are read again and
/// written: for each batch, what it refers to is read with a few queries (addresses, domains, names,
/// ids, references), each row is decided in order, and the batch is written in one transaction with
/// multi-row statements, so a crash leaves whole records only and running the same file again finds
/// them unchanged. Records match an existing one by the `id` column, else (contacts) by any address,
/// else (companies) by domain, then name; a later row matching an earlier one of the file updates it.
/// While writing, what the importer remembers is the current batch only: memory stays flat as the file
/// grows.
package struct Importer: Sendable {
    package struct Options: Sendable {
        package var dryRun = false
        package var strict = false
        /// `COLUMN → field` (or `custom.KEY`, or `-` to ignore).
        package var map: [String: String] = [:]
        /// Rows decided and written together, in one transaction.
        package var batchSize = 2000

        package init(dryRun: Bool = false, strict: Bool = false, map: [String: String] = [:], batchSize: Int = 2000) {
            self.dryRun = dryRun
            self.strict = strict
            self.map = map
            self.batchSize = batchSize
        }
    }

    let services: Services
    let service: RecordService
    let options: Options
    let actor: Actor
    let workspaceID: String
    package let importID = RecordID.make()

    package init(_ services: Services, schema: RecordSchema, workspaceID: String, actor: Actor, options: Options) {
        self.services = services
        self.service = RecordService(services, schema: schema)
        self.options = options
        self.actor = actor
        self.workspaceID = workspaceID
    }

    var isContacts: Bool { service.schema.object == "contacts" }

    /// Runs the import of a file.
    /// - Parameter progress: called with the bytes of the file written so far.
    /// - Throws: `invalid` for a file that is not CSV (naming the row), a bad `--map`, or (strict) any
    ///   rejected row, with the report under `report`.
    package func run(file: URL, progress: @Sendable (Int64) -> Void = { _ in }) async throws -> ImportReport {
        try scan(file: file)
        if options.dryRun || options.strict {
            let checked = try await pass(file: file, writing: false, progress: { _ in })
            if options.dryRun { return checked }
            if checked.rejected > 0 {
                var error = RapportError(
                    .invalid, "\(checked.rejected) rows were rejected; nothing was imported (strict).")
                error.report = checked.json
                throw error
            }
        }
        return try await pass(file: file, writing: true, progress: progress)
    }

    /// Reads the whole file as CSV, refusing one that is not CSV or not UTF-8.
    func scan(file: URL) throws {
        var file = try CSVFile(file)
        var sawHeader = false
        while let (records, _) = try file.next() {
            if !records.isEmpty { sawHeader = true }
        }
        if !sawHeader { throw RapportError.invalid([FieldIssue("file", "The file is empty.")]) }
    }

    /// A CSV file read a chunk at a time.
    struct CSVFile: ~Copyable {
        let handle: FileHandle
        var reader = CSVReader()
        var bytesRead: Int64 = 0
        var finished = false

        init(_ url: URL) throws {
            guard let handle = try? FileHandle(forReadingFrom: url) else {
                throw RapportError(.badRequest, "Cannot read the file.")
            }
            self.handle = handle
        }

        deinit { try? handle.close() }

        /// The next records and the bytes read so far; nil at the end.
        /// - Throws: `invalid` naming the row, for a file that is not CSV or not UTF-8.
        mutating func next() throws -> ([CSVReader.Record], Int64)? {
            if finished { return nil }
            do {
                let chunk = try handle.read(upToCount: 1 << 18) ?? Data()
                if chunk.isEmpty {
                    finished = true
                    return (try reader.finish(), bytesRead)
                }
                bytesRead += Int64(chunk.count)
                return (try reader.read(chunk), bytesRead)
            } catch let failure as CSVReader.Failure {
                throw RapportError(
                    .invalid, "Row \(failure.row): \(failure.message) Nothing was imported.",
                    fields: [FieldIssue("file", "Row \(failure.row): \(failure.message)")],
                    extras: ["row": String(failure.row)])
            }
        }
    }

    /// What batches changed that the database may not have yet: records by id in their latest state,
    /// and which record has each address, domain and company name now.
    struct Changes {
        var touched: [String: Record] = [:]
        var emails: [String: String] = [:]
        var domains: [String: String] = [:]
        var names: [String: String] = [:]
        /// Companies created for "Company Name", not yet written.
        var companies: Set<String> = []
    }

    /// What a pass remembers: the report, the mapping, and the records this file has touched (all of
    /// them in a checking pass; in a writing pass only those of the batches not yet written).
    final class State: @unchecked Sendable {
        var report = ImportReport()
        var targets: [(index: Int, target: ImportMapping.Target)] = []
        var headers: [String] = []
        var definitions: [CustomFieldDefinition] = []
        let writing: Bool
        /// This batch's changes (in a checking pass, every batch's).
        var current = Changes()
        /// The previous batch's changes, while its write may still be running.
        var previous = Changes()
        /// Company names to ids, found or created for "Company Name" (kept across batches, bounded).
        var companies: [String: String] = [:]
        var companyNames: [String: String] = [:]
        /// The batches' writes still running, oldest first; each starts after the one before commits.
        var writes: [Task<Void, any Error>] = []
        /// The batch's writes, one per record, in order.
        var operations: [Operation] = []
        var operationIndex: [String: Int] = [:]

        /// A record's latest state in this file, if the file changed it.
        func latest(_ id: String) -> Record? { current.touched[id] ?? previous.touched[id] }

        /// The records this file last gave a key to (an address, a domain, a name), newest first.
        func claims(_ key: KeyPath<Changes, [String: String]>, _ value: String) -> [String] {
            [current[keyPath: key][value], previous[keyPath: key][value]].compactMap { $0 }
        }

        func isPendingCompany(_ id: String) -> Bool {
            current.companies.contains(id) || previous.companies.contains(id)
        }

        init(writing: Bool) {
            self.writing = writing
        }

        /// Queues a write; a record written twice in a batch is written once, in its latest state.
        func queue(_ operation: Operation) {
            guard writing else { return }
            let id = operation.id
            guard let index = operationIndex[id] else {
                operationIndex[id] = operations.count
                operations.append(operation)
                return
            }
            switch (operations[index], operation) {
            case (.create, .update(_, let after)): operations[index] = .create(after)
            case (.update(let before, _), .update(_, let after)):
                operations[index] = .update(before: before, after: after)
            default: operations[index] = operation
            }
        }

        /// The operations queued so far, handed to a write.
        func takeOperations() -> [Operation] {
            defer {
                operations = []
                operationIndex = [:]
            }
            return operations
        }

        /// Once every write but the newest is committed, the database knows what those batches did: the
        /// newest batch's changes become the previous ones.
        func settled() {
            previous = current
            current = Changes()
            if companies.count > 100_000 {
                companies = [:]
                companyNames = [:]
            }
        }
    }

    enum Operation: Sendable {
        case create(Record)
        case update(before: Record, after: Record)
        case createCompany(Record)

        var id: String {
            switch self {
            case .create(let record), .createCompany(let record), .update(_, let record): record.id
            }
        }
    }

    /// One data row, read: the values it gives and the columns they came from.
    struct Row {
        var number: Int
        var patch: [String: JSONValue] = [:]
        var idCell: String?
        var companyName: String?
        var columnOf: [String: String] = [:]
        /// The row's values on a new record, or why they are invalid.
        var fresh: Result<(Record, RecordPatch.References), RapportError> = .failure(RapportError(.invalid, ""))
    }

    /// What the database says about the keys of a batch.
    struct Known {
        var emails: [String: String] = [:]
        var domains: [String: String] = [:]
        var names: [String: String] = [:]
        var records: [String: Record] = [:]
        var references: Set<String> = []
    }

    func pass(file: URL, writing: Bool, progress: @Sendable (Int64) -> Void) async throws -> ImportReport {
        let state = State(writing: writing)
        state.definitions = try await service.customFields(workspaceID: workspaceID)
        var pending: [CSVReader.Record] = []
        var sawHeader = false
        var csv = try CSVFile(file)
        do {
            while let (records, bytesRead) = try csv.next() {
                for record in records {
                    if !sawHeader {
                        sawHeader = true
                        try readHeader(record, state: state)
                        continue
                    }
                    pending.append(record)
                    if pending.count >= options.batchSize {
                        try await batch(pending, state: state)
                        pending = []
                        if writing { progress(bytesRead) }
                    }
                }
            }
            try await batch(pending, state: state)
            try await settle(state, running: 0)
        } catch {
            // Never leave a write running behind a failure: each finishes (or fails) first.
            for write in state.writes { _ = try? await write.value }
            throw error
        }
        if writing { progress(csv.bytesRead) }
        return state.report
    }

    func readHeader(_ record: CSVReader.Record, state: State) throws {
        state.headers = record.fields
        let mapping = try ImportMapping.automatic(
            headers: record.fields, schema: service.schema, customFields: state.definitions, overrides: options.map)
        state.targets = mapping.targets.sorted { $0.key < $1.key }.map { (index: $0.key, target: $0.value) }
        state.report.ignoredColumns = mapping.ignored
    }

    /// Decides a batch of rows in order and, when writing, starts writing it. Reading and checking the
    /// values needs no database, so it overlaps the previous batches' writes; what the rows refer to is
    /// looked up once the batch before the previous one is committed, and the previous one's changes
    /// come from memory. A write builds its rows while the write before it runs, then waits for it.
    func batch(_ records: [CSVReader.Record], state: State) async throws {
        guard !records.isEmpty else { return }
        let now = Timestamp.micros(Date())
        var rows: [Row?] = records.map { read($0, state: state) }
        for index in rows.indices {
            guard var row = rows[index] else { continue }
            var values = row.patch
            if row.companyName != nil && isContacts { values["company_id"] = nil }
            var fresh = Record.empty(service.schema, workspaceID: workspaceID, now: now)
            do {
                let references = try RecordPatch.apply(
                    values, to: &fresh, schema: service.schema, customFields: state.definitions)
                row.fresh = .success((fresh, references))
            } catch let error as RapportError {
                row.fresh = .failure(error)
            }
            rows[index] = row
        }
        try await settle(state, running: 1)
        if isContacts {
            try await resolveCompanies(Set(rows.compactMap { $0?.companyName }), state: state, now: now)
            for index in rows.indices {
                guard var row = rows[index], let name = row.companyName, let id = state.companies[name] else {
                    continue
                }
                row.patch["company_id"] = .string(id)
                if case .success(var (fresh, references)) = row.fresh {
                    fresh.values["company_id"] = .string(id)
                    references.ids["company_id"] = nil
                    row.fresh = .success((fresh, references))
                }
                rows[index] = row
            }
        }
        let known = try await lookUp(rows.compactMap { $0 }, state: state)
        for row in rows {
            if let row { decide(row, known: known, state: state, now: now) } else { state.report.skipped += 1 }
        }
        if state.writing {
            // (one write per batch, even an empty one, so that `settle` counts batches)
            let operations = state.takeOperations()
            let companyNames = state.companyNames
            let before = state.writes.last
            state.writes.append(
                Task {
                    let rows = operations.isEmpty ? nil : writes(operations, companyNames: companyNames, now: now)
                    try await before?.value
                    if let rows { try await write(rows, now: now) }
                })
        }
    }

    /// Waits until at most `running` batch writes are still running (their changes stay in memory).
    func settle(_ state: State, running: Int) async throws {
        guard state.writing else { return }
        while state.writes.count > running { try await state.writes.removeFirst().value }
        state.settled()
    }

    /// A data row's values by target; nil for a blank row.
    func read(_ record: CSVReader.Record, state: State) -> Row? {
        if record.fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return nil }
        var row = Row(number: record.row)
        var custom: [String: JSONValue] = [:]
        for (index, target) in state.targets {
            guard index < record.fields.count else { continue }
            let cell = record.fields[index]
            if cell.allSatisfy(\.isWhitespace) { continue }
            let header = state.headers[index]
            switch target {
            case .id:
                row.idCell = cell.trimmed(newlines: false).lowercased()
            case .companyName:
                row.companyName = cell.trimmed()
                row.columnOf["company_id"] = header
            case .field(let name):
                guard let field = service.schema.field(name) else { continue }
                row.patch[name] = ImportMapping.value(cell, for: field.kind, field: name)
                row.columnOf[name] = header
            case .custom(let key):
                guard let definition = state.definitions.first(where: { $0.key == key }) else { continue }
                custom[key] = ImportMapping.customValue(cell, type: definition.type)
                row.columnOf["custom.\(key)"] = header
            }
        }
        if !custom.isEmpty { row.patch["custom"] = .object(custom) }
        return row
    }

    /// The workspace's companies of these names (the oldest of each name), created when missing.
    func resolveCompanies(_ names: Set<String>, state: State, now: Int64) async throws {
        let missing = names.filter { state.companies[$0] == nil }.sorted()
        guard !missing.isEmpty else { return }
        let workspaceID = self.workspaceID
        let found = try await services.store.bulkRead { session in
            var found: [String: String] = [:]
            for chunk in missing.chunks(of: 5000) {
                let rows = try await session.rows(
                    "SELECT name, id FROM companies WHERE workspace_id = ? AND name IN (\(BulkSession.placeholders(chunk.count))) ORDER BY created_at DESC, id DESC",
                    [.text(workspaceID)] + chunk.map(DBValue.text))
                for row in rows { if let name = row[0].text, let id = row[1].text { found[name] = id } }
            }
            return found
        }
        for name in missing {
            if let id = found[name] {
                state.companies[name] = id
                state.companyNames[id] = name
                continue
            }
            var company = Record.empty(.companies, workspaceID: workspaceID, now: now)
            company.values["name"] = .string(String(name.prefix(300)))
            state.companies[name] = company.id
            state.companyNames[company.id] = company.string("name")
            state.current.companies.insert(company.id)
            state.report.companiesCreated += 1
            state.queue(.createCompany(company))
        }
    }

    /// Reads, in a few queries, what the batch's rows refer to: owners of their addresses, domains and
    /// names, the records they match, and whether the records they point to exist.
    func lookUp(_ rows: [Row], state: State) async throws -> Known {
        var ids = Set<String>()
        var emails = Set<String>()
        var domains = Set<String>()
        var names = Set<String>()
        var references: [String: Set<String>] = [:]
        for row in rows {
            if let id = row.idCell, RecordID.isWellFormed(id), state.latest(id) == nil { ids.insert(id) }
            guard case .success(let (fresh, refs)) = row.fresh else { continue }
            if isContacts {
                emails.formUnion(fresh.allEmails)
            } else {
                if let domain = fresh.string("domain") { domains.insert(domain) }
                if let name = fresh.string("name") { names.insert(name) }
            }
            for reference in refs.ids.values where !state.isPendingCompany(reference.id) {
                references[reference.table, default: []].insert(reference.id)
            }
        }
        let workspaceID = self.workspaceID
        let repository = service.repository
        let wanted = (ids: ids, emails: emails, domains: domains, names: names, references: references)
        return try await services.store.bulkRead { session in
            var known = Known()
            let workspace = DBValue.text(workspaceID)
            func pairs(_ sql: (String) -> String, _ keys: Set<String>) async throws -> [String: String] {
                var found: [String: String] = [:]
                for chunk in Array(keys).chunks(of: 5000) {
                    let rows = try await session.rows(
                        sql(BulkSession.placeholders(chunk.count)), [workspace] + chunk.map(DBValue.text))
                    for row in rows { if let key = row[0].text, let id = row[1].text { found[key] = id } }
                }
                return found
            }
            known.emails = try await pairs(
                { "SELECT email, contact_id FROM contact_emails WHERE workspace_id = ? AND email IN (\($0))" },
                wanted.emails)
            known.domains = try await pairs(
                { "SELECT domain, id FROM companies WHERE workspace_id = ? AND domain IN (\($0))" }, wanted.domains)
            known.names = try await pairs(
                {
                    "SELECT name, id FROM companies WHERE workspace_id = ? AND name IN (\($0)) ORDER BY created_at DESC, id DESC"
                }, wanted.names)
            for (table, keys) in wanted.references where ["contacts", "companies", "users"].contains(table) {
                let found = try await pairs(
                    { "SELECT id, id FROM \(table) WHERE workspace_id = ? AND id IN (\($0))" },
                    keys.filter(RecordID.isWellFormed))
                known.references.formUnion(found.keys)
            }
            var ids = wanted.ids
            ids.formUnion(known.emails.values)
            ids.formUnion(known.domains.values)
            ids.formUnion(known.names.values)
            ids = ids.filter { state.latest($0) == nil }
            let columns = repository.columnList
            for chunk in Array(ids).chunks(of: 5000) {
                let rows = try await session.rows(
                    "SELECT \(columns) FROM \(repository.table) WHERE workspace_id = ? AND id IN (\(BulkSession.placeholders(chunk.count)))",
                    [workspace] + chunk.map(DBValue.text))
                for row in rows {
                    let record = try repository.record(values: row)
                    known.records[record.id] = record
                }
            }
            return known
        }
    }

    /// Counts one row and queues its write.
    func decide(_ row: Row, known: Known, state: State, now: Int64) {
        func reject(_ issues: [FieldIssue]) {
            state.report.rejected += 1
            for issue in issues {
                state.report.errors.append(
                    ImportReport.RowError(
                        row: row.number, column: row.columnOf[issue.field] ?? "", message: issue.message))
            }
        }
        func find(_ id: String) -> Record? { state.latest(id) ?? known.records[id] }
        /// The record that has the address now: this file's latest state first, then the database's.
        func owner(of email: String) -> String? {
            for id in state.claims(\.emails, email) where find(id)?.allEmails.contains(email) == true { return id }
            if let id = known.emails[email], find(id)?.allEmails.contains(email) ?? true { return id }
            return nil
        }
        func company(domain: String) -> String? {
            for id in state.claims(\.domains, domain) where find(id)?.string("domain") == domain { return id }
            if let id = known.domains[domain], find(id).map({ $0.string("domain") == domain }) ?? true { return id }
            return nil
        }
        func company(name: String) -> String? {
            for id in state.claims(\.names, name) where find(id)?.string("name") == name { return id }
            if let id = known.names[name], find(id).map({ $0.string("name") == name }) ?? true { return id }
            return nil
        }
        let fresh: Record
        let references: RecordPatch.References
        switch row.fresh {
        case .success(let (record, refs)):
            fresh = record
            references = refs
        case .failure(let error):
            return reject(error.fields)
        }
        // Which record this row is: by id, then by address (contacts) or domain and name (companies).
        var existing: Record?
        if let id = row.idCell, RecordID.isWellFormed(id) { existing = find(id) }
        if existing == nil {
            if isContacts {
                existing = fresh.allEmails.lazy.compactMap { owner(of: $0) }.first.flatMap(find)
            } else {
                existing = fresh.string("domain").flatMap(company(domain:)).flatMap(find)
                if existing == nil { existing = fresh.string("name").flatMap(company(name:)).flatMap(find) }
            }
        }
        // References must exist (or be companies this file creates).
        var missing: [FieldIssue] = []
        for (field, reference) in references.ids.sorted(by: { $0.key < $1.key })
        where !state.isPendingCompany(reference.id) && !known.references.contains(reference.id) {
            missing.append(
                FieldIssue(field, reference.table == "users" ? "No such user in this workspace." : "No such company."))
        }
        if !missing.isEmpty { return reject(missing) }
        var after: Record
        if let before = existing {
            after = before
            do {
                _ = try RecordPatch.apply(
                    row.patch, to: &after, schema: service.schema, customFields: state.definitions)
                try service.requireIdentity(after)
            } catch let error as RapportError {
                return reject(error.fields)
            } catch {
                return reject([FieldIssue("file", "This row cannot be read.")])
            }
            if isContacts, after["email_consent"] != before["email_consent"] {
                after.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
            }
            if FieldChange.between(before, after, schema: service.schema).isEmpty {
                state.report.unchanged += 1
                return
            }
        } else {
            after = fresh
            do {
                try service.requireIdentity(after)
            } catch let error as RapportError {
                return reject(error.fields)
            } catch {
                return reject([FieldIssue("file", "This row cannot be read.")])
            }
            if isContacts, after.string("email_consent") != "unknown" {
                after.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
            }
        }
        // An address of another contact, or a domain of another company, cannot be taken.
        if isContacts {
            for email in after.allEmails {
                if let owner = owner(of: email), owner != after.id {
                    return reject([FieldIssue("email", "\(email) belongs to another contact.")])
                }
            }
        } else if let domain = after.string("domain"), let owner = company(domain: domain), owner != after.id {
            return reject([FieldIssue("domain", "Another company has this domain.")])
        }
        if let before = existing {
            state.report.updated += 1
            state.queue(.update(before: before, after: after))
        } else {
            state.report.created += 1
            state.queue(.create(after))
        }
        state.current.touched[after.id] = after
        for email in after.allEmails { state.current.emails[email] = after.id }
        if let domain = after.string("domain") { state.current.domains[domain] = after.id }
        if !isContacts, let name = after.string("name") { state.current.names[name] = after.id }
    }

    /// What a batch writes: new companies' and records' rows, built before the write starts, and the
    /// changed records, saved one by one.
    struct Writes: Sendable {
        var companies: RecordService.NewRows
        var created: RecordService.NewRows
        var updated: [(before: Record, after: Record)]
    }

    func writes(_ operations: [Operation], companyNames: [String: String], now: Int64) -> Writes {
        var companies: [Record] = []
        var created: [Record] = []
        var updated: [(before: Record, after: Record)] = []
        for operation in operations {
            switch operation {
            case .createCompany(let company): companies.append(company)
            case .create(let record): created.append(record)
            case .update(let before, let after): updated.append((before, after))
            }
        }
        let actor = Actor(.import, id: self.actor.id)
        return Writes(
            companies: RecordService.companies(services).newRows(
                companies, actor: actor, now: now, importID: nil, companyNames: [:]),
            created: service.newRows(
                created, actor: actor, now: now, importID: importID, companyNames: companyNames),
            updated: updated)
    }

    /// Writes a batch in one transaction.
    func write(_ writes: Writes, now: Int64) async throws {
        let service = self.service
        let companyService = RecordService.companies(services)
        let actor = Actor(.import, id: self.actor.id)
        let importID = self.importID
        try await service.writeBulk { session in
            try await companyService.insert(writes.companies, on: session)
            try await service.insert(writes.created, on: session)
            for (before, after) in writes.updated {
                let current =
                    try await service.repository.find(workspaceID: before.workspaceID, id: before.id, on: session.sql)
                    ?? before
                // One `imported` event per record and import: a record this file created or changed in an
                // earlier batch has it already.
                let recorded = try await session.rows(
                    "SELECT 1 FROM events WHERE workspace_id = ? AND \(isContacts ? "contact_id" : "company_id") = ? AND type = 'imported' AND data LIKE ? LIMIT 1",
                    [.text(before.workspaceID), .text(before.id), .text("%\"import_id\":\"\(importID)\"%")])
                let imported = service.event(
                    "imported", for: after, actor: actor, at: now,
                    data: ["import_id": .string(importID), "action": .string("updated")])
                var target = after
                target.version = current.version
                _ = try await service.save(
                    target, before: current, now: now, actor: actor, action: "updated",
                    extraEvents: recorded.isEmpty ? [imported] : [],
                    on: session.sql)
            }
        }
    }
}

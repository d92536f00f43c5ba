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

/// Imports a CSV file of contacts or companies. The file is read twice: a first pass checks every row
/// and counts (that is all a dry run does; a file that is not CSV or not UTF-8 is refused here, and in
/// strict mode so is a file with any rejected row), then a second pass writes in batches, each batch
/// one transaction, so a crash leaves whole records only and running the same file again finds them
/// unchanged. Records match an existing one by the `id` column, else (contacts) by any address, else
/// (companies) by domain, then name; a later row matching an earlier one of the file updates it.
package struct Importer: Sendable {
    package struct Options: Sendable {
        package var dryRun = false
        package var strict = false
        /// `COLUMN → field` (or `custom.KEY`, or `-` to ignore).
        package var map: [String: String] = [:]

        package init(dryRun: Bool = false, strict: Bool = false, map: [String: String] = [:]) {
            self.dryRun = dryRun
            self.strict = strict
            self.map = map
        }
    }

    let services: Services
    let service: RecordService
    let options: Options
    let actor: Actor
    let workspaceID: String
    package let importID = RecordID.make()
    static let batchSize = 500

    package init(_ services: Services, schema: RecordSchema, workspaceID: String, actor: Actor, options: Options) {
        self.services = services
        self.service = RecordService(services, schema: schema)
        self.options = options
        self.actor = actor
        self.workspaceID = workspaceID
    }

    var isContacts: Bool { service.schema.object == "contacts" }

    /// Runs the import of a file.
    /// - Parameter progress: called with the bytes read so far while writing.
    /// - Throws: `invalid` for a file that is not CSV (naming the row), a bad `--map`, or (strict) any
    ///   rejected row, with the report under `report`.
    package func run(file: URL, progress: @Sendable (Int64) -> Void = { _ in }) async throws -> ImportReport {
        let checked = try await pass(file: file, writing: false, progress: { _ in })
        if options.dryRun { return checked }
        if options.strict && checked.rejected > 0 {
            var error = RapportError(.invalid, "\(checked.rejected) rows were rejected; nothing was imported (strict).")
            error.report = checked.json
            throw error
        }
        return try await pass(file: file, writing: true, progress: progress)
    }

    /// What one pass remembers about the records this file has touched.
    final class State: @unchecked Sendable {
        var report = ImportReport()
        var targets: [Int: ImportMapping.Target] = [:]
        var headers: [String] = []
        var definitions: [CustomFieldDefinition] = []
        /// Records created or changed by this file, by id: their latest state.
        var touched: [String: Record] = [:]
        /// Whether a touched record is new to the database (not yet written, or written in this pass).
        var created: Set<String> = []
        var emails: [String: String] = [:]
        var domains: [String: String] = [:]
        var names: [String: String] = [:]
        var companies: [String: String] = [:]
        var pendingCompanies: Set<String> = []
        var batch: [Operation] = []
        /// False in the checking pass: nothing is queued for writing.
        var writing = false

        /// Queues a write; a record created earlier in the same batch is written once, in its latest state.
        func queue(_ operation: Operation) {
            guard writing else { return }
            if case .create(let record) = operation,
                let index = batch.firstIndex(where: {
                    if case .create(let queued) = $0 { queued.id == record.id } else { false }
                })
            {
                batch[index] = .create(record)
            } else {
                batch.append(operation)
            }
        }
    }

    enum Operation: Sendable {
        case create(Record)
        case update(before: Record, after: Record)
        case createCompany(Record)
    }

    func pass(file: URL, writing: Bool, progress: @Sendable (Int64) -> Void) async throws -> ImportReport {
        let state = State()
        state.writing = writing
        state.definitions = try await service.customFields(workspaceID: workspaceID)
        guard let handle = try? FileHandle(forReadingFrom: file) else {
            throw RapportError(.badRequest, "Cannot read the file.")
        }
        defer { try? handle.close() }
        var reader = CSVReader()
        var bytesRead: Int64 = 0
        var sawHeader = false
        func process(_ records: [CSVReader.Record]) async throws {
            for record in records {
                if !sawHeader {
                    sawHeader = true
                    state.headers = record.fields
                    let mapping = try ImportMapping.automatic(
                        headers: record.fields, schema: service.schema, customFields: state.definitions,
                        overrides: options.map)
                    state.targets = mapping.targets
                    state.report.ignoredColumns = mapping.ignored
                    continue
                }
                try await row(record, state: state)
                if writing && state.batch.count >= Self.batchSize {
                    try await flush(state)
                    progress(bytesRead)
                }
            }
        }
        do {
            while true {
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty { break }
                bytesRead += Int64(chunk.count)
                try await process(try reader.read(chunk))
            }
            try await process(try reader.finish())
        } catch let failure as CSVReader.Failure {
            throw RapportError(
                .invalid, "Row \(failure.row): \(failure.message) Nothing was imported.",
                fields: [FieldIssue("file", "Row \(failure.row): \(failure.message)")],
                extras: ["row": String(failure.row)])
        }
        if !sawHeader { throw RapportError.invalid([FieldIssue("file", "The file is empty.")]) }
        if writing {
            try await flush(state)
            progress(bytesRead)
        }
        return state.report
    }

    /// Checks one data row, counts it, and queues its write.
    func row(_ record: CSVReader.Record, state: State) async throws {
        if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            state.report.skipped += 1
            return
        }
        var patch: [String: JSONValue] = [:]
        var custom: [String: JSONValue] = [:]
        var idCell: String?
        var companyName: String?
        var columnOf: [String: String] = [:]
        for (index, target) in state.targets {
            guard index < record.fields.count else { continue }
            let cell = record.fields[index]
            if cell.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            let header = state.headers[index]
            switch target {
            case .id:
                idCell = cell.trimmingCharacters(in: .whitespaces).lowercased()
            case .companyName:
                companyName = cell.trimmingCharacters(in: .whitespacesAndNewlines)
                columnOf["company_id"] = header
            case .field(let name):
                guard let field = service.schema.field(name) else { continue }
                patch[name] = ImportMapping.value(cell, for: field.kind, field: name)
                columnOf[name] = header
            case .custom(let key):
                guard let definition = state.definitions.first(where: { $0.key == key }) else { continue }
                custom[key] = ImportMapping.customValue(cell, type: definition.type)
                columnOf["custom.\(key)"] = header
            }
        }
        if !custom.isEmpty { patch["custom"] = .object(custom) }
        func reject(_ issues: [FieldIssue]) {
            state.report.rejected += 1
            for issue in issues {
                state.report.errors.append(
                    ImportReport.RowError(row: record.row, column: columnOf[issue.field] ?? "", message: issue.message))
            }
        }
        if let companyName, isContacts {
            patch["company_id"] = .string(try await companyID(named: companyName, state: state))
        }
        // Which record this row is: by id, then by address (contacts) or domain and name (companies).
        var existing: Record?
        if let idCell, RecordID.isWellFormed(idCell) {
            existing = try await find(idCell, state: state)
        }
        var probe = Record.empty(service.schema, workspaceID: workspaceID, now: 0)
        let references: RecordPatch.References
        do {
            references = try RecordPatch.apply(
                patch, to: &probe, schema: service.schema, customFields: state.definitions)
        } catch let error as RapportError {
            reject(error.fields)
            return
        }
        if existing == nil {
            if isContacts {
                for email in probe.allEmails {
                    if let id = try await owner(of: email, state: state) {
                        existing = try await find(id, state: state)
                        break
                    }
                }
            } else if let domain = probe.string("domain") {
                let id = try await state.domains[domain].asyncOr {
                    try await service.repository.company(
                        domain: domain, workspaceID: workspaceID, on: services.store.database)
                }
                if let id { existing = try await find(id, state: state) }
            }
            if existing == nil, !isContacts, let name = probe.string("name") {
                let id = try await state.names[name].asyncOr {
                    try await service.repository.company(name: name, workspaceID: workspaceID)
                }
                if let id { existing = try await find(id, state: state) }
            }
        }
        // References must exist (or be companies this file creates).
        var missing: [FieldIssue] = []
        for (field, reference) in references.ids where !state.pendingCompanies.contains(reference.id) {
            if try await !service.repository.exists(
                table: reference.table, workspaceID: workspaceID, id: reference.id, on: services.store.database)
            {
                missing.append(
                    FieldIssue(
                        field, reference.table == "users" ? "No such user in this workspace." : "No such company."))
            }
        }
        if !missing.isEmpty { return reject(missing) }
        let now = Timestamp.micros(Date())
        var after: Record
        if let before = existing {
            after = before
            do {
                _ = try RecordPatch.apply(patch, to: &after, schema: service.schema, customFields: state.definitions)
                try service.requireIdentity(after)
            } catch let error as RapportError {
                return reject(error.fields)
            }
            if isContacts, after["email_consent"] != before["email_consent"] {
                after.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
            }
            if FieldChange.between(before, after, schema: service.schema).isEmpty {
                state.report.unchanged += 1
                return
            }
        } else {
            after = Record.empty(service.schema, workspaceID: workspaceID, now: now)
            do {
                _ = try RecordPatch.apply(patch, to: &after, schema: service.schema, customFields: state.definitions)
                try service.requireIdentity(after)
            } catch let error as RapportError {
                return reject(error.fields)
            }
            if isContacts, after.string("email_consent") != "unknown" {
                after.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
            }
        }
        // An address of another contact, or a domain of another company, cannot be taken.
        if isContacts {
            for email in after.allEmails {
                if let owner = try await owner(of: email, state: state), owner != after.id {
                    return reject([FieldIssue("email", "\(email) belongs to another contact.")])
                }
            }
        } else if let domain = after.string("domain") {
            let owner = try await state.domains[domain].asyncOr {
                try await service.repository.company(
                    domain: domain, workspaceID: workspaceID, on: services.store.database)
            }
            if let owner, owner != after.id {
                return reject([FieldIssue("domain", "Another company has this domain.")])
            }
        }
        if let before = existing {
            state.report.updated += 1
            let queuedCreate = state.batch.contains {
                if case .create(let record) = $0 { record.id == before.id } else { false }
            }
            if queuedCreate {
                state.queue(.create(after))
            } else {
                after.version = before.version + 1
                state.queue(.update(before: before, after: after))
            }
        } else {
            state.report.created += 1
            state.created.insert(after.id)
            state.queue(.create(after))
        }
        remember(after, state: state)
    }

    func remember(_ record: Record, state: State) {
        state.touched[record.id] = record
        for email in record.allEmails { state.emails[email] = record.id }
        if let domain = record.string("domain") { state.domains[domain] = record.id }
        if !isContacts, let name = record.string("name") { state.names[name] = record.id }
    }

    func find(_ id: String, state: State) async throws -> Record? {
        if let record = state.touched[id] { return record }
        return try await service.repository.find(workspaceID: workspaceID, id: id)
    }

    func owner(of email: String, state: State) async throws -> String? {
        if let id = state.emails[email] { return id }
        return try await service.repository.contact(email: email, workspaceID: workspaceID)
    }

    /// The workspace's company of that name, created (once) when missing.
    func companyID(named name: String, state: State) async throws -> String {
        if let id = state.companies[name] { return id }
        let companies = RecordRepository(store: services.store, schema: .companies)
        if let id = try await companies.company(name: name, workspaceID: workspaceID) {
            state.companies[name] = id
            return id
        }
        var company = Record.empty(.companies, workspaceID: workspaceID, now: Timestamp.micros(Date()))
        company.values["name"] = .string(String(name.prefix(300)))
        state.companies[name] = company.id
        state.pendingCompanies.insert(company.id)
        state.report.companiesCreated += 1
        state.queue(.createCompany(company))
        return company.id
    }

    /// Writes the queued records in one transaction.
    func flush(_ state: State) async throws {
        guard !state.batch.isEmpty else { return }
        let batch = state.batch
        state.batch = []
        let now = Timestamp.micros(Date())
        let service = self.service
        let companies = RecordService.companies(services)
        let actor = self.actor
        let importID = self.importID
        try await service.write { database in
            for operation in batch {
                switch operation {
                case .createCompany(let company):
                    _ = try await companies.insertNew(
                        company, actor: Actor(.import, id: actor.id), now: now, on: database)
                case .create(let record):
                    let imported = service.event(
                        "imported", for: record, actor: Actor(.import, id: actor.id), at: now,
                        data: ["import_id": .string(importID)])
                    _ = try await service.insertNew(
                        record, actor: Actor(.import, id: actor.id), now: now, extraEvents: [imported], on: database)
                case .update(let before, let after):
                    let current =
                        try await service.repository.find(workspaceID: before.workspaceID, id: before.id, on: database)
                        ?? before
                    let imported = service.event(
                        "imported", for: after, actor: Actor(.import, id: actor.id), at: now,
                        data: ["import_id": .string(importID)])
                    var target = after
                    target.version = current.version
                    _ = try await service.save(
                        target, before: current, now: now, actor: Actor(.import, id: actor.id), action: "updated",
                        extraEvents: [imported], on: database)
                }
            }
        }
    }
}

extension Optional where Wrapped == String {
    /// The value, or what `fallback` finds.
    func asyncOr(_ fallback: () async throws -> String?) async rethrows -> String? {
        if let value = self { return value }
        return try await fallback()
    }
}

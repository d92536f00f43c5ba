package import Foundation
package import RapportCore
import RapportDatabase
import RapportStore

/// What an import did (or, in a dry run, would do).
package struct ImportReport: Sendable, Equatable, Encodable {
    package struct RowError: Sendable, Equatable, Encodable {
        package var row: Int
        package var column: String
        package var message: String
        /// For a duplicate row, the earlier row of the file it repeats.
        package var duplicateOf: Int?
        /// The issue behind the message, for a page to say it in the viewer's language.
        package var issue: FieldIssue?

        package init(
            row: Int, column: String, message: String, duplicateOf: Int? = nil, issue: FieldIssue? = nil
        ) {
            self.row = row
            self.column = column
            self.message = message
            self.duplicateOf = duplicateOf
            self.issue = issue
        }

        enum CodingKeys: String, CodingKey {
            case row, column, message
            case duplicateOf = "duplicate_of"
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(row, forKey: .row)
            try container.encode(column, forKey: .column)
            try container.encode(message, forKey: .message)
            try container.encode(duplicateOf, forKey: .duplicateOf)
        }
    }

    /// A record the import created, to link to from its report.
    package struct CreatedRecord: Sendable, Equatable {
        package var id: String
        package var title: String
    }

    package var created = 0
    package var updated = 0
    package var unchanged = 0
    package var rejected = 0
    package var skipped = 0
    /// Rows that repeat an earlier row of the file (the same address, domain, name or id): not written.
    package var duplicates = 0
    package var companiesCreated = 0
    /// An order import's: the rows read (order lines), and the products it created.
    package var lines: Int?
    package var productsCreated: Int?
    package var ignoredColumns: [String] = []
    package var errors: [RowError] = []
    /// The first records the import created (at most `createdSample`), for the web report's links.
    package var createdRecords: [CreatedRecord] = []
    /// When the first and the last of the records it created were created (microseconds), if any.
    package var createdBetween: ClosedRange<Int64>?

    static let createdSample = 10

    enum CodingKeys: String, CodingKey {
        case created, updated, unchanged, rejected, skipped, duplicates, errors
        case companiesCreated = "companies_created"
        case lines
        case productsCreated = "products_created"
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
/// else (companies) by domain, then name. A later row matching the record an earlier row of the file
/// matched or created is a duplicate: counted and reported ("Duplicate of row N."), not written.
/// While writing, what the importer remembers is the current batch, plus the first row of each record
/// (16 bytes of id and a row number, for duplicates).
package struct Importer: Sendable {
    package struct Options: Sendable {
        package var dryRun = false
        package var strict = false
        /// `COLUMN → field` (or `custom.KEY`, or `-` to ignore).
        package var map: [String: String] = [:]
        /// A mapping chosen for every column by its index (see `ImportMapping.explicit`); when set, it
        /// replaces the automatic mapping and `map`.
        package var columns: [Int: String]?
        /// Where to write the rejected and duplicate rows, as CSV: the header and each row's cells as the
        /// file had them, plus a last column saying why.
        package var rejectedRows: URL?
        /// Rows decided and written together, in one transaction.
        package var batchSize = 2000

        package init(
            dryRun: Bool = false, strict: Bool = false, map: [String: String] = [:], columns: [Int: String]? = nil,
            rejectedRows: URL? = nil, batchSize: Int = 2000
        ) {
            self.dryRun = dryRun
            self.strict = strict
            self.map = map
            self.columns = columns
            self.rejectedRows = rejectedRows
            self.batchSize = batchSize
        }
    }

    let services: Services
    let service: RecordService
    let options: Options
    let actor: Actor
    /// Who imports: rows that would change a record outside their reach are rejected, and new records
    /// are theirs unless the file names an owner.
    let viewer: Viewer
    var workspaceID: String { viewer.workspaceID }
    package let importID = RecordID.make()

    package init(_ services: Services, schema: ObjectType, viewer: Viewer, actor: Actor, options: Options) {
        self.services = services
        self.service = RecordService(services, schema: schema)
        self.options = options
        self.actor = actor
        self.viewer = viewer
    }

    var schema: ObjectType { service.schema }

    /// The reference a column of names fills (a contact's company, by name), with the object it points
    /// to; that object's records are matched by their name key and created when missing.
    var nameReference: (field: String, target: ObjectType)? {
        for field in schema.fields {
            if case .reference(let table) = field.kind, let target = ObjectCatalog.named(table), target.nameKey != nil,
                schema.importAliases.values.contains(.referenceName(field.name))
            {
                return (field.name, target)
            }
        }
        return nil
    }

    /// Runs the import of a file.
    /// - Parameter progress: called with the bytes of the file written so far.
    /// - Throws: `invalid` for a file that is not CSV (naming the row), a bad `--map`, or (strict) any
    ///   rejected row, with the report under `report`.
    package func run(file: URL, progress: @Sendable (Int64) -> Void = { _ in }) async throws -> ImportReport {
        try scan(file: file)
        if options.dryRun || options.strict {
            let checked = try await pass(
                file: file, writing: false, rejectedRows: options.dryRun ? options.rejectedRows : nil,
                progress: { _ in })
            if options.dryRun { return checked }
            if checked.rejected > 0 {
                var error = RapportError(
                    .invalid, "\(checked.rejected) rows were rejected; nothing was imported (strict).")
                error.report = checked.json
                throw error
            }
        }
        return try await pass(file: file, writing: true, rejectedRows: options.rejectedRows, progress: progress)
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
        /// Unique field → value → record.
        var unique: [String: [String: String]] = [:]
        var names: [String: String] = [:]
        /// Referenced records created for a column of names ("Company Name"), not yet written.
        var referenced: Set<String> = []
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
        /// Names to ids of referenced records, found or created for a column of names (kept across
        /// batches, bounded), and the other way round.
        var referencedIDs: [String: String] = [:]
        var referencedNames: [String: String] = [:]
        /// The workspace's users by address and teams by name key, for columns of owners and teams.
        var userIDs: [String: String] = [:]
        var teamIDs: [String: String] = [:]
        /// The batches' writes still running, oldest first; each starts after the one before commits.
        var writes: [Task<Void, any Error>] = []
        /// The batch's writes, one per record, in order.
        var operations: [Operation] = []
        var operationIndex: [String: Int] = [:]
        /// The batch's notes (a column of notes) on the records it creates or changes, by record id.
        var notes: [String: String] = [:]
        /// The row of the file that first matched or created each record (a later row matching it is a
        /// duplicate). Keyed by the id's 16 bytes, so a file of a million rows keeps it in tens of MB.
        var firstRows: [UUID: Int] = [:]
        var firstRowsByText: [String: Int] = [:]
        /// The batch's rejected and duplicate rows: their cells and why, for `Options.rejectedRows`.
        var rejects: [(cells: [String], reason: String)] = []
        var rejectsFile: FileHandle?

        /// The row that first matched or created the record, if an earlier row did.
        func firstRow(of id: String) -> Int? {
            if let uuid = UUID(uuidString: id) { return firstRows[uuid] }
            return firstRowsByText[id]
        }

        func remember(_ id: String, row: Int) {
            if let uuid = UUID(uuidString: id) { firstRows[uuid] = row } else { firstRowsByText[id] = row }
        }

        /// A record's latest state in this file, if the file changed it.
        func latest(_ id: String) -> Record? { current.touched[id] ?? previous.touched[id] }

        /// The records this file last gave a key to (an address, a domain, a name), newest first.
        func claims(_ key: KeyPath<Changes, [String: String]>, _ value: String) -> [String] {
            [current[keyPath: key][value], previous[keyPath: key][value]].compactMap { $0 }
        }

        /// The records this file last gave a unique field's value to, newest first.
        func claims(unique field: String, _ value: String) -> [String] {
            [current.unique[field]?[value], previous.unique[field]?[value]].compactMap { $0 }
        }

        func isPendingReference(_ id: String) -> Bool {
            current.referenced.contains(id) || previous.referenced.contains(id)
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

        /// The operations queued so far, handed to a write, with their notes.
        func takeOperations() -> ([Operation], notes: [String: String]) {
            defer {
                operations = []
                operationIndex = [:]
                notes = [:]
            }
            return (operations, notes)
        }

        /// Once every write but the newest is committed, the database knows what those batches did: the
        /// newest batch's changes become the previous ones.
        func settled() {
            previous = current
            current = Changes()
            if referencedIDs.count > 100_000 {
                referencedIDs = [:]
                referencedNames = [:]
            }
        }
    }

    enum Operation: Sendable {
        case create(Record)
        case update(before: Record, after: Record)
        /// A record of the object a column of names refers to.
        case createReferenced(Record)

        var id: String {
            switch self {
            case .create(let record), .createReferenced(let record), .update(_, let record): record.id
            }
        }
    }

    /// One data row, read: the values it gives and the columns they came from.
    struct Row {
        var number: Int
        /// The cells as the file has them.
        var cells: [String] = []
        /// A note for the record's timeline.
        var note: String?
        var patch: [String: JSONValue] = [:]
        var idCell: String?
        /// A name in a column of names (a contact's company), for the name reference.
        var referenceName: String?
        var columnOf: [String: String] = [:]
        /// The row's values on a new record, or why they are invalid.
        var fresh: Result<(Record, RecordPatch.References), RapportError> = .failure(RapportError(.invalid, ""))
    }

    /// What the database says about the keys of a batch.
    struct Known {
        var emails: [String: String] = [:]
        var unique: [String: [String: String]] = [:]
        var names: [String: String] = [:]
        var records: [String: Record] = [:]
        var references: Set<String> = []
        /// Which of `records` the importer may change.
        var changeable: Set<String> = []
        /// The first team of each owner of the batch's new records.
        var primaryTeams: [String: String] = [:]
    }

    func pass(file: URL, writing: Bool, rejectedRows: URL?, progress: @Sendable (Int64) -> Void) async throws
        -> ImportReport
    {
        guard schema.importable else {
            // (orders come in as order lines, through `OrderImporter`: `rapport import orders`)
            let how =
                schema.name == ObjectType.orders.name ? " Use rapport import orders (one row per order line)." : ""
            throw RapportError.invalid([
                FieldIssue(
                    "object", key: "not_importable", "\(schema.name) are not imported from a CSV file here.\(how)")
            ])
        }
        guard viewer.allows(.import, on: schema) else { throw Viewer.refusal(.import, on: schema) }
        let state = State(writing: writing)
        state.definitions = try await service.customFields(workspaceID: workspaceID)
        for user in try await services.accounts.users(workspaceID: workspaceID, limit: 100_000, after: nil).items {
            state.userIDs[user.email] = user.id
        }
        for team in try await TeamRepository(store: services.store).all(workspaceID: workspaceID) {
            state.teamIDs[SearchKey.normalize(team.name)] = team.id
        }
        if let rejectedRows {
            _ = FileManager.default.createFile(atPath: rejectedRows.path, contents: nil)
            state.rejectsFile = try FileHandle(forWritingTo: rejectedRows)
        }
        defer { try? state.rejectsFile?.close() }
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
        let mapping =
            if let columns = options.columns {
                try ImportMapping.explicit(
                    headers: record.fields, choices: columns, schema: service.schema, customFields: state.definitions)
            } else {
                try ImportMapping.automatic(
                    headers: record.fields, schema: service.schema, customFields: state.definitions,
                    overrides: options.map)
            }
        try state.rejectsFile?.write(
            contentsOf: Data(CSVWriter.line(record.fields.map(CSVWriter.unguard) + ["Reason"]).utf8))
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
            if row.referenceName != nil, let field = nameReference?.field { values[field] = nil }
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
        if let (field, target) = nameReference {
            try await resolveReferences(
                Set(rows.compactMap { $0?.referenceName }), target: target, state: state, now: now)
            for index in rows.indices {
                guard var row = rows[index], let name = row.referenceName, let id = state.referencedIDs[name] else {
                    continue
                }
                row.patch[field] = .string(id)
                if case .success(var (fresh, references)) = row.fresh {
                    fresh.values[field] = .string(id)
                    references.ids[field] = nil
                    row.fresh = .success((fresh, references))
                }
                rows[index] = row
            }
        }
        let known = try await lookUp(rows.compactMap { $0 }, state: state)
        for row in rows {
            if let row { decide(row, known: known, state: state, now: now) } else { state.report.skipped += 1 }
        }
        if let file = state.rejectsFile, !state.rejects.isEmpty {
            var text = ""
            for reject in state.rejects {
                CSVWriter.append(reject.cells.map(CSVWriter.unguard) + [reject.reason], to: &text)
            }
            try file.write(contentsOf: Data(text.utf8))
        }
        state.rejects = []
        if state.writing {
            // (one write per batch, even an empty one, so that `settle` counts batches)
            let (operations, notes) = state.takeOperations()
            let referencedNames = state.referencedNames
            let before = state.writes.last
            state.writes.append(
                Task {
                    let rows =
                        operations.isEmpty
                        ? nil : writes(operations, notes: notes, referencedNames: referencedNames, now: now)
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
        var row = Row(number: record.row, cells: record.fields)
        var custom: [String: JSONValue] = [:]
        var phoneType: String?
        var otherEmails: [String] = []
        for (index, target) in state.targets {
            guard index < record.fields.count else { continue }
            let cell = record.fields[index]
            if cell.allSatisfy(\.isWhitespace) { continue }
            let header = state.headers[index]
            switch target {
            case .id:
                row.idCell = cell.trimmed(newlines: false).lowercased()
                row.columnOf["id"] = header
            case .phoneType:
                phoneType = ImportMapping.phoneType(cell)
            case .note:
                row.note = String(CSVWriter.unguard(cell).trimmed().prefix(20_000))
            case .referenceName(let field):
                row.referenceName = cell.trimmed()
                row.columnOf[field] = header
            case .field(let name):
                guard let field = service.schema.field(name) else { continue }
                row.patch[name] = ImportMapping.value(cell, for: field.kind, field: name)
                row.columnOf[name] = header
                // An owner by address and a team by name, as people write them.
                let text = cell.trimmed()
                if field.kind == .reference("users"), !RecordID.isWellFormed(text),
                    let id = state.userIDs[Email.normalize(text)]
                {
                    row.patch[name] = .string(id)
                } else if field.kind == .reference("teams"), !RecordID.isWellFormed(text),
                    let id = state.teamIDs[SearchKey.normalize(text)]
                {
                    row.patch[name] = .string(id)
                }
                // Google writes a contact's several addresses of one kind in one cell: the first is the
                // address, the others join the additional ones.
                if name == "email", let (first, others) = ImportMapping.googleList(cell),
                    service.schema.field("additional_emails") != nil
                {
                    row.patch[name] = .string(first)
                    otherEmails = others
                }
            case .custom(let key):
                guard let definition = state.definitions.first(where: { $0.key == key }) else { continue }
                custom[key] = ImportMapping.customValue(cell, type: definition.type)
                row.columnOf["custom.\(key)"] = header
            }
        }
        if !custom.isEmpty { row.patch["custom"] = .object(custom) }
        if !otherEmails.isEmpty {
            var additional: [JSONValue] = []
            if case .array(let listed)? = row.patch["additional_emails"] { additional = listed }
            row.patch["additional_emails"] = .array(additional + otherEmails.map(JSONValue.string))
            row.columnOf["additional_emails"] = row.columnOf["additional_emails"] ?? row.columnOf["email"]
        }
        if let phoneType, case .array(let phones)? = row.patch["phones"] {
            row.patch["phones"] = .array(
                phones.map { phone in
                    guard case .object(var members) = phone else { return phone }
                    members["type"] = .string(phoneType)
                    return .object(members)
                })
        }
        return row
    }

    /// The workspace's records of `target` with these names (the oldest of each name), created when missing.
    func resolveReferences(_ names: Set<String>, target: ObjectType, state: State, now: Int64) async throws {
        guard let nameField = target.nameKey else { return }
        let missing = Set(names.filter { state.referencedIDs[$0] == nil })
        guard !missing.isEmpty else { return }
        let found = try await RecordRepository(store: services.store, schema: target).ids(
            where: nameField, in: missing, workspaceID: workspaceID)
        var maxLength = 300
        if case .text(let length)? = target.field(nameField)?.kind { maxLength = length }
        for name in missing.sorted() {
            if let id = found[name] {
                state.referencedIDs[name] = id
                state.referencedNames[id] = name
                continue
            }
            var created = Record.empty(target, workspaceID: workspaceID, now: now)
            created.values[nameField] = .string(String(name.prefix(maxLength)))
            state.referencedIDs[name] = created.id
            state.referencedNames[created.id] = created.string(nameField)
            state.current.referenced.insert(created.id)
            state.report.companiesCreated += 1
            state.queue(.createReferenced(created))
        }
    }

    /// Reads, in a few queries, what the batch's rows refer to: owners of their addresses, unique keys
    /// and names, the records they match, and whether the records they point to exist.
    func lookUp(_ rows: [Row], state: State) async throws -> Known {
        var ids = Set<String>()
        var emails = Set<String>()
        var unique: [String: Set<String>] = [:]
        var names = Set<String>()
        var references: [String: Set<String>] = [:]
        for row in rows {
            if let id = row.idCell, RecordID.isWellFormed(id), state.latest(id) == nil { ids.insert(id) }
            guard case .success(let (fresh, refs)) = row.fresh else { continue }
            if schema.hasUniqueEmails { emails.formUnion(fresh.allEmails) }
            for (field, _) in schema.uniqueFields {
                if let value = fresh.string(field) { unique[field, default: []].insert(value) }
            }
            if let field = schema.nameKey, let name = fresh.string(field) { names.insert(name) }
            for reference in refs.ids.values where !state.isPendingReference(reference.id) {
                references[reference.table, default: []].insert(reference.id)
            }
        }
        let repository = service.repository
        var known = Known()
        known.emails = try await repository.emailOwners(workspaceID: workspaceID, emails: emails)
        for (field, values) in unique {
            known.unique[field] = try await repository.ids(where: field, in: values, workspaceID: workspaceID)
        }
        if let field = schema.nameKey {
            known.names = try await repository.ids(where: field, in: names, workspaceID: workspaceID)
        }
        for (table, keys) in references {
            let found = try await repository.existing(table: table, ids: keys, workspaceID: workspaceID)
            // (a record the importer may not see is no reference for them)
            if let target = ObjectCatalog.named(table) {
                guard let reach = viewer.scopeIfAllowed(.read, on: target) else { continue }
                known.references.formUnion(
                    try await RecordRepository(store: services.store, schema: target).reachable(reach, ids: found))
            } else {
                known.references.formUnion(found)
            }
        }
        var owners = Set<String>()
        for row in rows {
            guard case .success(let (fresh, _)) = row.fresh, schema.isOwned else { continue }
            if let owner = fresh.string("owner_id") ?? viewer.userID { owners.insert(owner) }
        }
        let teams = TeamRepository(store: services.store)
        for owner in owners {
            if let team = try await teams.teams(of: owner, workspaceID: workspaceID).first {
                known.primaryTeams[owner] = team
            }
        }
        ids.formUnion(known.emails.values)
        for found in known.unique.values { ids.formUnion(found.values) }
        ids.formUnion(known.names.values)
        ids = ids.filter { state.latest($0) == nil }
        for chunk in Array(ids).chunks(of: 5000) {
            known.records.merge(try await repository.find(.all(workspaceID), ids: Array(chunk))) { _, new in new }
        }
        known.changeable = try await repository.reachable(
            try viewer.scope(.import, on: schema), ids: Set(known.records.keys))
        return known
    }

    /// Counts one row and queues its write.
    func decide(_ row: Row, known: Known, state: State, now: Int64) {
        func reject(_ issues: [FieldIssue]) {
            state.report.rejected += 1
            for issue in issues {
                state.report.errors.append(
                    ImportReport.RowError(
                        row: row.number, column: row.columnOf[issue.field] ?? "", message: issue.message, issue: issue))
            }
            if state.rejectsFile != nil {
                state.rejects.append((row.cells, issues.map(\.message).joined(separator: " ")))
            }
        }
        func find(_ id: String) -> Record? { state.latest(id) ?? known.records[id] }
        /// The record that has the address now: this file's latest state first, then the database's.
        func owner(of email: String) -> String? {
            for id in state.claims(\.emails, email) where find(id)?.allEmails.contains(email) == true { return id }
            if let id = known.emails[email], find(id)?.allEmails.contains(email) ?? true { return id }
            return nil
        }
        /// The record whose unique field has the value now.
        func holder(of value: String, unique field: String) -> String? {
            for id in state.claims(unique: field, value) where find(id)?.string(field) == value { return id }
            if let id = known.unique[field]?[value], find(id).map({ $0.string(field) == value }) ?? true { return id }
            return nil
        }
        func named(_ name: String, field: String) -> String? {
            for id in state.claims(\.names, name) where find(id)?.string(field) == name { return id }
            if let id = known.names[name], find(id).map({ $0.string(field) == name }) ?? true { return id }
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
        // Which record this row is: by id, then by its identity keys in order (any address of a contact;
        // a company's domain, then its name).
        var existing: Record?
        var matchedBy = "id"
        if let id = row.idCell, RecordID.isWellFormed(id) { existing = find(id) }
        for key in schema.identity where existing == nil {
            switch key {
            case .emails:
                existing = fresh.allEmails.lazy.compactMap { owner(of: $0) }.first.flatMap(find)
                matchedBy = row.columnOf["email"] == nil ? "additional_emails" : "email"
            case .unique(let field, _):
                existing = fresh.string(field).flatMap { holder(of: $0, unique: field) }.flatMap(find)
                matchedBy = field
            case .name(let field):
                existing = fresh.string(field).flatMap { named($0, field: field) }.flatMap(find)
                matchedBy = field
            }
        }
        // A record an earlier row of the file already matched or created: this row repeats that one.
        if let existing, let first = state.firstRow(of: existing.id) {
            state.report.duplicates += 1
            state.report.errors.append(
                ImportReport.RowError(
                    row: row.number, column: row.columnOf[matchedBy] ?? "", message: "Duplicate of row \(first).",
                    duplicateOf: first))
            if state.rejectsFile != nil { state.rejects.append((row.cells, "Duplicate of row \(first).")) }
            return
        }
        // References must exist (or be records this file creates).
        var missing: [FieldIssue] = []
        for (field, reference) in references.ids.sorted(by: { $0.key < $1.key })
        where !state.isPendingReference(reference.id) && !known.references.contains(reference.id) {
            missing.append(FieldIssue(field, RecordService.missingReference(reference.table)))
        }
        if !missing.isEmpty { return reject(missing) }
        var after: Record
        // A record the importer may not change (or see) is not updated: the row is rejected.
        if let before = existing, !known.changeable.contains(before.id), state.latest(before.id) == nil {
            return reject([
                FieldIssue(
                    matchedBy, key: "import_not_yours_\(schema.name)",
                    "This row matches a \(schema.recordType) you may not change.")
            ])
        }
        if existing == nil, !viewer.allows(.create, on: schema) {
            return reject([
                FieldIssue("file", key: "import_no_create_\(schema.name)", "Your role may not create \(schema.name).")
            ])
        }
        if let refused = row.patch.keys.first(where: { viewer.rules(schema).fields[$0] != nil })
            ?? RecordService.customKeys(row.patch).first(where: { viewer.rules(schema).fields[$0] != nil })
        {
            return reject([FieldIssue(refused, key: "field_not_writable", "Your role may not change this field.")])
        }
        if let before = existing {
            after = before
            do {
                _ = try RecordPatch.apply(
                    row.patch, to: &after, schema: service.schema, customFields: state.definitions)
                try service.requireIdentity(after)
            } catch let error as RapportError {
                return reject(error.fields)
            } catch {
                return reject([FieldIssue("file", key: "row_unreadable", "This row cannot be read.")])
            }
            schema.rules.prepare(&after, before: before, now: now)
            if FieldChange.between(before, after, schema: service.schema).isEmpty {
                state.report.unchanged += 1
                state.remember(before.id, row: row.number)
                return
            }
        } else {
            after = fresh
            if schema.isOwned {
                if row.patch["owner_id"] == nil, let userID = viewer.userID {
                    after.values["owner_id"] = .string(userID)
                }
                if row.patch["team_id"] == nil, let owner = after.string("owner_id") {
                    after.values["team_id"] = known.primaryTeams[owner].map(JSONValue.string) ?? .null
                }
            }
            do {
                try service.requireIdentity(after)
            } catch let error as RapportError {
                return reject(error.fields)
            } catch {
                return reject([FieldIssue("file", key: "row_unreadable", "This row cannot be read.")])
            }
            schema.rules.prepare(&after, before: nil, now: now)
        }
        // An address of another contact, or a unique key of another record (a domain), cannot be taken.
        if schema.hasUniqueEmails {
            for email in after.allEmails {
                if let owner = owner(of: email), owner != after.id {
                    return reject([
                        FieldIssue(
                            "email", key: "taken_email_\(schema.name)",
                            "{value} belongs to another \(schema.recordType).",
                            ["value": email])
                    ])
                }
            }
        }
        for (field, label) in schema.uniqueFields {
            if let value = after.string(field), let holder = holder(of: value, unique: field), holder != after.id {
                return reject([
                    FieldIssue(
                        field, key: "taken_\(schema.name)_\(field)", "Another \(schema.recordType) has this \(label).")
                ])
            }
        }
        if let before = existing {
            state.report.updated += 1
            state.queue(.update(before: before, after: after))
        } else {
            state.report.created += 1
            state.queue(.create(after))
            if state.report.createdRecords.count < ImportReport.createdSample {
                state.report.createdRecords.append(.init(id: after.id, title: schema.title(of: after)))
            }
            let range = state.report.createdBetween
            let at = after.createdAt
            state.report.createdBetween = min(range?.lowerBound ?? at, at)...max(range?.upperBound ?? at, at)
        }
        state.remember(after.id, row: row.number)
        if let note = row.note, !note.isEmpty, state.writing { state.notes[after.id] = note }
        state.current.touched[after.id] = after
        for email in after.allEmails { state.current.emails[email] = after.id }
        for (field, _) in schema.uniqueFields {
            if let value = after.string(field) { state.current.unique[field, default: [:]][value] = after.id }
        }
        if let field = schema.nameKey, let name = after.string(field) { state.current.names[name] = after.id }
    }

    /// What a batch writes: new referenced records' (companies named in the file) and records' rows,
    /// built before the write starts, and the changed records, saved one by one.
    struct Writes: Sendable {
        var referenced: NewRows
        var created: NewRows
        var updated: [(before: Record, after: Record)]
        /// Notes from a column of notes, on the records created or changed.
        var notes: [TimelineEvent] = []
        /// The email consent of new contacts that have one, for its history (a change of an existing
        /// contact's is recorded by its effects when it is saved).
        var consents: [ConsentChange] = []
    }

    func writes(_ operations: [Operation], notes: [String: String], referencedNames: [String: String], now: Int64)
        -> Writes
    {
        var referenced: [Record] = []
        var created: [Record] = []
        var updated: [(before: Record, after: Record)] = []
        for operation in operations {
            switch operation {
            case .createReferenced(let record): referenced.append(record)
            case .create(let record): created.append(record)
            case .update(let before, let after): updated.append((before, after))
            }
        }
        let actor = Actor(.import, id: self.actor.id)
        let target = nameReference.map { RecordRepository(store: services.store, schema: $0.target) }
        var events: [TimelineEvent] = []
        for record in created + updated.map(\.after) {
            if let note = notes[record.id] {
                events.append(service.event("note", for: record, actor: actor, at: now, data: ["body": .string(note)]))
            }
        }
        var consents: [ConsentChange] = []
        if schema.name == ObjectType.contacts.name {
            for record in created {
                let state = Consent.state(fieldValue: record.string("email_consent"))
                guard state != "unknown" else { continue }
                let change = ConsentChange(
                    contactID: record.id, channel: "email", state: state, source: "import",
                    note: record.string("email_consent_source"), userID: actor.id, at: now)
                consents.append(change)
                events.append(ConsentService.event(change, workspaceID: record.workspaceID, actor: actor))
            }
        }
        return Writes(
            referenced: target?.newRows(referenced, actor: actor, now: now, importID: nil, referenceTitles: [:])
                ?? NewRows(),
            created: service.repository.newRows(
                created, actor: actor, now: now, importID: importID, referenceTitles: referencedNames),
            updated: updated, notes: events, consents: consents)
    }

    /// Writes a batch in one transaction.
    func write(_ writes: Writes, now: Int64) async throws {
        let service = self.service
        let target = nameReference.map { RecordRepository(store: services.store, schema: $0.target) }
        let actor = Actor(.import, id: self.actor.id)
        let importID = self.importID
        let column = schema.timeline?.column
        let timeline = TimelineRepository(store: services.store)
        let workspaceID = viewer.workspaceID
        let consents = ConsentRepository(store: services.store)
        try await service.writeRows { session in
            try await target?.insert(writes.referenced, on: session)
            try await service.repository.insert(writes.created, on: session)
            try await timeline.append(writes.notes, on: session.sql)
            for change in writes.consents {
                try await consents.record(change, workspaceID: workspaceID, on: session.sql)
            }
            for (before, after) in writes.updated {
                let current =
                    try await service.repository.find(.all(before.workspaceID), id: before.id, on: session.sql)
                    ?? before
                // One `imported` event per record and import: a record this file created or changed in an
                // earlier batch has it already.
                var recorded = true
                if let column {
                    recorded = try await TimelineRepository.hasImported(
                        workspaceID: before.workspaceID, column: column, recordID: before.id, importID: importID,
                        on: session)
                }
                let imported = service.event(
                    "imported", for: after, actor: actor, at: now,
                    data: ["import_id": .string(importID), "action": .string("updated")])
                var target = after
                target.version = current.version
                _ = try await service.save(
                    target, before: current, now: now, actor: actor, action: "updated",
                    extraEvents: recorded ? [] : [imported], viewer: viewer, on: session.sql)
            }
        }
    }
}

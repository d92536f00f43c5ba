import Foundation
package import RapportCore
package import SQLKit

/// Contacts and companies through one generic path: the schema says which columns exist and how each
/// value is stored, so inserts, reads, updates, filters and paging are written once.
package struct RecordRepository: Sendable {
    let store: Store
    package let schema: RecordSchema

    package init(store: Store, schema: RecordSchema) {
        self.store = store
        self.schema = schema
        self.columns =
            ["workspace_id", "id"] + schema.fields.map(\.name) + ["custom", "version", "created_at", "updated_at"]
        self.columnList = columns.joined(separator: ", ")
    }

    package var table: String { schema.object }
    /// The table's columns in the order `values(of:)` gives and `record(values:)` takes.
    package let columns: [String]
    /// `columns` as a SELECT list (built once: a record by id is read on every request for it).
    package let columnList: String

    // MARK: Reading

    package func find(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws -> Record? {
        guard RecordID.isWellFormed(id) else { return nil }
        guard let database else {
            // Outside a transaction: straight from the driver, without SQLKit's decoding.
            return try await findRow(workspaceID: workspaceID, id: id).map(record(values:))
        }
        return try await database.raw(
            "SELECT \(unsafeRaw: columnList) FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first().map(record(from:))
    }

    /// A record's stored row (`columns` order), outside any transaction; nil when the workspace has no
    /// such record. The API writes its answer straight from the row (`StoredRecordBody`).
    package func findRow(workspaceID: String, id: String) async throws -> [DBValue]? {
        guard RecordID.isWellFormed(id) else { return nil }
        let sql = "SELECT \(columnList) FROM \(table) WHERE workspace_id = ? AND id = ?"
        return try await store.bulkRead(inline: true) { try await $0.rows(sql, [.text(workspaceID), .text(id)]) }.first
    }

    /// The workspace's records among `ids`, by id, in one statement (ids of other workspaces and
    /// malformed ids find nothing).
    package func find(workspaceID: String, ids: [String]) async throws -> [String: Record] {
        let wanted = Array(Set(ids.filter(RecordID.isWellFormed)))
        guard !wanted.isEmpty else { return [:] }
        let sql =
            "SELECT \(columnList) FROM \(table) WHERE workspace_id = ? AND id IN (\(BulkSession.placeholders(wanted.count)))"
        // (a page of lookups by primary key: microseconds, so on the calling thread)
        let rows = try await store.bulkRead(inline: wanted.count <= 200) {
            try await $0.rows(sql, [.text(workspaceID)] + wanted.map(DBValue.text))
        }
        var found: [String: Record] = [:]
        for row in rows {
            let record = try record(values: row)
            found[record.id] = record
        }
        return found
    }

    /// Whether a record of `table` exists in the workspace (for references).
    package func exists(table: String, workspaceID: String, id: String, on database: any SQLDatabase) async throws
        -> Bool
    {
        guard ["contacts", "companies", "users"].contains(table), RecordID.isWellFormed(id) else { return false }
        return try await database.raw(
            "SELECT 1 AS found FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first() != nil
    }

    /// A company's contacts, all of them (for re-indexing after a rename or a merge).
    package func contacts(ofCompany companyID: String, workspaceID: String, on database: any SQLDatabase) async throws
        -> [Record]
    {
        let contacts = RecordRepository(store: store, schema: .contacts)
        return try await database.raw(
            "SELECT \(unsafeRaw: contacts.columnList) FROM contacts WHERE workspace_id = \(bind: workspaceID) AND company_id = \(bind: companyID)"
        ).all().map(contacts.record(from:))
    }

    /// A page of records matching `query`, in its sort order.
    /// - Parameters:
    ///   - scope: an extra equality, such as a company's contacts (`company_id`).
    ///   - search: words that must each start a search term of the record (`q=`).
    package func list(
        workspaceID: String, query: ListQuery, limit: Int, after: RecordCursor?,
        scope: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (records: [Record], next: RecordCursor?) {
        let page = try await listRows(
            workspaceID: workspaceID, query: query, limit: limit, after: after, scope: scope, search: search)
        return (try page.rows.map(record(values:)), page.next)
    }

    /// `list` as stored rows (`columns` order), for answers written straight from them.
    package func listRows(
        workspaceID: String, query: ListQuery, limit: Int, after: RecordCursor?,
        scope: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (rows: [[DBValue]], next: RecordCursor?) {
        let dialect = SQLFragments(kind: store.kind)
        var sql: SQLQueryString =
            "SELECT \(unsafeRaw: columnList), \(dialect.sortKey(query.sort.target)) AS sort_key FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID)"
        if let scope, ["company_id"].contains(scope.column) {
            sql = sql + " AND \(ident: scope.column) = \(bind: scope.value)"
        }
        for filter in query.filters {
            sql = sql + " AND " + dialect.condition(filter)
        }
        if !search.isEmpty {
            sql = sql + " AND " + SearchRepository.matching(workspaceID: workspaceID, words: search, kind: store.kind)
        }
        let direction = query.sort.descending ? "DESC" : "ASC"
        if let after {
            let comparison = query.sort.descending ? "<" : ">"
            sql =
                sql
                + " AND (\(dialect.sortKey(query.sort.target)), id) \(unsafeRaw: comparison) (\(dialect.bind(after.key)), \(bind: after.id))"
        }
        sql = sql + " ORDER BY sort_key \(unsafeRaw: direction), id \(unsafeRaw: direction) LIMIT \(bind: limit + 1)"
        let statement = sql
        var rows = try await store.bulkRead { try await $0.rows(statement) }
        let more = rows.count > limit
        if more { rows.removeLast(rows.count - limit) }
        var next: RecordCursor?
        if more, let last = rows.last, let id = last[1].text {
            next = RecordCursor(key: SQLFragments.sortValue(last[last.count - 1], target: query.sort.target), id: id)
        }
        for index in rows.indices { rows[index].removeLast() }
        return (rows, next)
    }

    /// Contacts' primary addresses and their companies' names, by contact id, in one statement (what a
    /// search result shows besides the name).
    package func addressesAndCompanies(workspaceID: String, contactIDs: [String]) async throws
        -> [String: (email: String?, companyName: String?)]
    {
        let wanted = Array(Set(contactIDs.filter(RecordID.isWellFormed)))
        guard !wanted.isEmpty else { return [:] }
        let sql =
            "SELECT c.id, c.email, co.name FROM contacts c LEFT JOIN companies co ON co.workspace_id = c.workspace_id AND co.id = c.company_id WHERE c.workspace_id = ? AND c.id IN (\(BulkSession.placeholders(wanted.count)))"
        let rows = try await store.bulkRead(inline: wanted.count <= 200) {
            try await $0.rows(sql, [.text(workspaceID)] + wanted.map(DBValue.text))
        }
        var found: [String: (email: String?, companyName: String?)] = [:]
        for row in rows {
            if let id = row[0].text { found[id] = (row[1].text, row[2].text) }
        }
        return found
    }

    /// Display names by id (`name` for companies, "first last" or the email for contacts).
    package func names(workspaceID: String, ids: [String]) async throws -> [String: String] {
        let wanted = Array(Set(ids.filter(RecordID.isWellFormed)))
        guard !wanted.isEmpty else { return [:] }
        let columns = schema.object == "companies" ? "id, name" : "id, first_name, last_name, email"
        let sql =
            "SELECT \(columns) FROM \(table) WHERE workspace_id = ? AND id IN (\(BulkSession.placeholders(wanted.count)))"
        let rows = try await store.bulkRead(inline: wanted.count <= 200) {
            try await $0.rows(sql, [.text(workspaceID)] + wanted.map(DBValue.text))
        }
        var names: [String: String] = [:]
        for row in rows {
            guard let id = row[0].text else { continue }
            if schema.object == "companies" {
                names[id] = row[1].text ?? ""
            } else {
                let parts = [row[1].text, row[2].text].compactMap { $0 }
                names[id] = parts.isEmpty ? (row[3].text ?? "") : parts.joined(separator: " ")
            }
        }
        return names
    }

    /// The workspace's companies by name, for pickers.
    package func companyChoices(workspaceID: String, limit: Int = 1000) async throws -> [(id: String, name: String)] {
        try await store.database.raw(
            "SELECT id, name FROM companies WHERE workspace_id = \(bind: workspaceID) ORDER BY name, id LIMIT \(bind: limit)"
        ).all().map {
            (try $0.decode(column: "id", as: String.self), try $0.decode(column: "name", as: String?.self) ?? "")
        }
    }

    // MARK: Writing

    /// Writes a changed record if nobody changed it since `expectedVersion`.
    /// - Returns: false when the stored version differs (or the record is gone).
    package func update(_ record: Record, expectedVersion: Int64, on database: any SQLDatabase) async throws -> Bool {
        let binds = try self.binds(record)
        var assignments: [SQLQueryString] = []
        for (column, value) in zip(columns, binds)
        where column != "workspace_id" && column != "id" && column != "created_at" {
            assignments.append("\(ident: column) = \(bind: value)")
        }
        let updated = try await database.raw(
            """
            UPDATE \(ident: table) SET \(assignments.joined(separator: ", "))
            WHERE workspace_id = \(bind: record.workspaceID) AND id = \(bind: record.id) AND version = \(bind: expectedVersion)
            RETURNING id
            """
        ).all()
        return !updated.isEmpty
    }

    package func delete(workspaceID: String, id: String, on database: any SQLDatabase) async throws {
        try await database.raw(
            "DELETE FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).run()
    }

    // MARK: Contacts' addresses and companies' domains

    /// Makes `emails` the contact's addresses in the workspace-wide index.
    /// - Returns: the id of another contact that already has one of them, if any (nothing is changed then).
    package func claimEmails(workspaceID: String, contactID: String, emails: [String], on database: any SQLDatabase)
        async throws -> String?
    {
        if !emails.isEmpty {
            let owners = try await database.raw(
                "SELECT contact_id FROM contact_emails WHERE workspace_id = \(bind: workspaceID) AND email IN (\(binds: emails)) AND contact_id <> \(bind: contactID)"
            ).all()
            if let owner = owners.first { return try owner.decode(column: "contact_id", as: String.self) }
        }
        try await database.raw(
            "DELETE FROM contact_emails WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID)"
        ).run()
        for email in emails {
            try await database.raw(
                "INSERT INTO contact_emails (workspace_id, email, contact_id) VALUES (\(bind: workspaceID), \(bind: email), \(bind: contactID))"
            ).run()
        }
        return nil
    }

    /// The contact that has `email` as a primary or additional address.
    package func contact(email: String, workspaceID: String) async throws -> String? {
        try await store.database.raw(
            "SELECT contact_id FROM contact_emails WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)"
        ).first().map { try $0.decode(column: "contact_id", as: String.self) }
    }

    /// The first company (oldest) with exactly this name.
    package func company(name: String, workspaceID: String) async throws -> String? {
        try await store.database.raw(
            "SELECT id FROM companies WHERE workspace_id = \(bind: workspaceID) AND name = \(bind: name) ORDER BY created_at, id LIMIT 1"
        ).first().map { try $0.decode(column: "id", as: String.self) }
    }

    /// The company whose domain is `domain`.
    /// - Parameter database: a transaction's; nil reads outside any, with a kept statement on a reader.
    package func company(domain: String, workspaceID: String, on database: (any SQLDatabase)?) async throws -> String? {
        guard let database else {
            let sql = "SELECT id FROM companies WHERE workspace_id = ? AND domain = ?"
            return try await store.bulkRead(inline: true) {
                try await $0.rows(sql, [.text(workspaceID), .text(domain)])
            }.first?.first?.text
        }
        return try await database.raw(
            "SELECT id FROM companies WHERE workspace_id = \(bind: workspaceID) AND domain = \(bind: domain)"
        ).first().map { try $0.decode(column: "id", as: String.self) }
    }

    /// Points a company's contacts elsewhere (or nowhere) when it is merged or deleted.
    package func moveContacts(
        workspaceID: String, from companyID: String, to target: String?, on database: any SQLDatabase
    ) async throws {
        try await database.raw(
            "UPDATE contacts SET company_id = \(bind: target), version = version + 1, updated_at = \(bind: Timestamp.micros(Date())) WHERE workspace_id = \(bind: workspaceID) AND company_id = \(bind: companyID)"
        ).run()
    }

    // MARK: Row mapping

    func binds(_ record: Record) throws -> [any Encodable & Sendable] {
        var binds: [any Encodable & Sendable] = [record.workspaceID, record.id]
        for field in schema.fields {
            binds.append(try SQLFragments.stored(record[field.name], kind: field.kind))
        }
        binds.append(JSONText.encode(.object(record.custom)))
        binds.append(record.version)
        binds.append(record.createdAt)
        binds.append(record.updatedAt)
        return binds
    }

    /// A record's column values for the fast path, in the order of `columns`.
    package func values(of record: Record) -> [DBValue] {
        var values: [DBValue] = [.text(record.workspaceID), .text(record.id)]
        values.reserveCapacity(schema.fields.count + 6)
        for field in schema.fields {
            values.append(SQLFragments.storedValue(record[field.name], kind: field.kind))
        }
        values.append(.text(JSONText.encode(.object(record.custom))))
        values.append(.int(record.version))
        values.append(.int(record.createdAt))
        values.append(.int(record.updatedAt))
        return values
    }

    /// A record from a row of `columns` read on the fast path.
    package func record(values row: [DBValue]) throws -> Record {
        let fields = schema.fields
        guard row.count == fields.count + 6, let workspaceID = row[0].text, let id = row[1].text else {
            throw JSONText.Malformed(offset: 0)
        }
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            values[field.name] = try SQLFragments.value(row[index + 2], kind: field.kind)
        }
        let tail = fields.count + 2
        guard case .object(let custom) = try JSONText.decode(row[tail].text ?? "{}") else {
            throw JSONText.Malformed(offset: 0)
        }
        return Record(
            id: id, workspaceID: workspaceID, values: values, custom: custom, version: row[tail + 1].int ?? 1,
            createdAt: row[tail + 2].int ?? 0, updatedAt: row[tail + 3].int ?? 0)
    }

    func record(from row: any SQLRow) throws -> Record {
        var values: [String: JSONValue] = [:]
        for field in schema.fields {
            values[field.name] = try SQLFragments.value(row, column: field.name, kind: field.kind)
        }
        let customText = try row.decode(column: "custom", as: String.self)
        guard case .object(let custom) = try JSONText.decode(customText) else { throw JSONText.Malformed(offset: 0) }
        return Record(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            values: values, custom: custom,
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

/// Where the next page starts: the last record's sort key and id.
package struct RecordCursor: Sendable, Equatable, Codable {
    package var key: JSONValue
    package var id: String

    package init(key: JSONValue, id: String) {
        self.key = key
        self.id = id
    }
}

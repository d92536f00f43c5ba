import Foundation
package import RapportCore
package import RapportDatabase
package import SQLKit

/// Contacts and companies through one generic path: the schema says which columns exist and how each
/// value is stored, so inserts, reads, updates, filters and paging are written once.
package struct RecordRepository: Sendable {
    let store: Store
    package let schema: ObjectType

    package init(store: Store, schema: ObjectType) {
        self.store = store
        self.schema = schema
        self.columns =
            ["workspace_id", "id"] + schema.fields.map(\.name) + ["custom", "version", "created_at", "updated_at"]
        self.columnList = columns.joined(separator: ", ")
    }

    package var table: String { schema.name }
    /// The table's columns in the order `values(of:)` gives and `record(values:)` takes.
    package let columns: [String]
    /// `columns` as a SELECT list (built once: a record by id is read on every request for it).
    package let columnList: String

    // MARK: Reading

    /// The record with `id` when it is inside `reach`; nil for a missing one, another workspace's, or one
    /// the user may not see.
    package func find(_ reach: RecordScope, id: String, on database: (any SQLDatabase)? = nil) async throws -> Record? {
        guard RecordID.isWellFormed(id) else { return nil }
        guard let database else {
            // Outside a transaction: straight from the driver, without SQLKit's decoding.
            return try await findRow(reach, id: id).map(record(values:))
        }
        return try await database.raw(
            "SELECT \(unsafeRaw: columnList) FROM \(ident: table) WHERE \(visible(reach)) AND id = \(bind: id)"
        ).first().map(record(from:))
    }

    /// The visibility condition of `reach` on this object's rows (SQLKit form).
    func visible(_ reach: RecordScope) -> SQLQueryString {
        reach.sql(owned: schema.isOwned, ownerColumn: schema.ownerField)
    }

    /// The visibility condition of `reach` on this object's rows, with `?` placeholders.
    package func visibleCondition(_ reach: RecordScope, prefix: String = "") -> (sql: String, binds: [DBValue]) {
        reach.condition(prefix: prefix, owned: schema.isOwned, ownerColumn: schema.ownerField)
    }

    /// A record's stored row (`columns` order), outside any transaction; nil when the workspace has no
    /// such record. The API writes its answer straight from the row (`StoredRecordBody`).
    package func findRow(_ reach: RecordScope, id: String) async throws -> [DBValue]? {
        guard RecordID.isWellFormed(id) else { return nil }
        let (condition, binds) = visibleCondition(reach)
        let sql = "SELECT \(columnList) FROM \(table) WHERE \(condition) AND id = ?"
        return try await store.readRows(inline: true) { try await $0.rows(sql, binds + [.text(id)]) }.first
    }

    /// The workspace's records among `ids`, by id, in one statement (ids of other workspaces and
    /// malformed ids find nothing).
    package func find(_ reach: RecordScope, ids: [String]) async throws -> [String: Record] {
        let wanted = Array(Set(ids.filter(RecordID.isWellFormed)))
        guard !wanted.isEmpty else { return [:] }
        let (from, binds) = byIDs(wanted.count, reach)
        let sql = "\(from.with) SELECT \(columns.map { "t.\($0)" }.joined(separator: ", ")) \(from.rest)"
        // (a page of lookups by primary key: microseconds, so on the calling thread)
        let rows = try await store.readRows(inline: wanted.count <= 200) {
            try await $0.rows(sql, wanted.map(DBValue.text) + binds)
        }
        var found: [String: Record] = [:]
        for row in rows {
            let record = try record(values: row)
            found[record.id] = record
        }
        return found
    }

    /// Like `find(_:ids:)`, reading only `fields` (the records carry no other value, and no custom
    /// fields): what an import needs of the records its rows refer to, such as a customer's owner.
    package func find(_ reach: RecordScope, ids: [String], fields: [String]) async throws -> [String: Record] {
        let wanted = Array(Set(ids.filter(RecordID.isWellFormed)))
        let kinds = fields.compactMap { name in schema.field(name).map { (name: name, kind: $0.kind) } }
        guard !wanted.isEmpty, kinds.count == fields.count else { return [:] }
        let (from, binds) = byIDs(wanted.count, reach)
        let sql =
            "\(from.with) SELECT t.workspace_id, t.id\(kinds.map { ", t.\($0.name)" }.joined()) \(from.rest)"
        let rows = try await store.readRows(inline: wanted.count <= 200) {
            try await $0.rows(sql, wanted.map(DBValue.text) + binds)
        }
        var found: [String: Record] = [:]
        for row in rows {
            guard let workspaceID = row[0].text, let id = row[1].text else { continue }
            var values: [String: JSONValue] = [:]
            for (index, field) in kinds.enumerated() {
                values[field.name] = try SQLFragments.value(row[index + 2], kind: field.kind)
            }
            found[id] = Record(
                id: id, workspaceID: workspaceID, values: values, custom: [:], version: 1, createdAt: 0, updatedAt: 0)
        }
        return found
    }

    /// A query over the records with `count` ids, driven by the ids: `with` names them (`wanted`), `rest` is
    /// `FROM … WHERE …` joining each to its record (as `t`) inside `reach`; binds are the ids', then
    /// `binds`'. Led by the ids, a page of lookups stays a page of primary key reads: given the ids in
    /// `IN (…)`, SQLite would rather scan a whole list index that holds the owner and team (M0022).
    func byIDs(_ count: Int, _ reach: RecordScope) -> (from: (with: String, rest: String), binds: [DBValue]) {
        let (condition, binds) = visibleCondition(reach, prefix: "t.")
        let values = Array(repeating: "(?)", count: count).joined(separator: ", ")
        return (
            (
                "WITH wanted (id) AS (VALUES \(values))",
                "FROM wanted CROSS JOIN \(table) t WHERE \(condition) AND t.id = wanted.id"
            ),
            binds
        )
    }

    /// Whether a record of `table` exists in the workspace (for references): a user or a team, or a record
    /// of an object inside `reach` (the viewer's reach on that object).
    package func exists(table: String, reach: RecordScope, id: String, on database: any SQLDatabase) async throws
        -> Bool
    {
        guard RecordID.isWellFormed(id) else { return false }
        let condition: SQLQueryString
        if ["users", "teams", "pipelines", "stages"].contains(table) {
            condition = "workspace_id = \(bind: reach.workspaceID)"
        } else if let type = ObjectCatalog.named(table) {
            condition = reach.sql(owned: type.isOwned, ownerColumn: type.ownerField)
        } else {
            return false
        }
        return try await database.raw(
            "SELECT 1 AS found FROM \(ident: table) WHERE \(condition) AND id = \(bind: id)"
        ).first() != nil
    }

    /// The workspace's records whose `field` is `value`, all of them (a company's contacts, to re-index
    /// them after a rename or a merge).
    package func records(where field: String, is value: String, workspaceID: String, on database: any SQLDatabase)
        async throws -> [Record]
    {
        guard schema.field(field) != nil else { return [] }
        return try await database.raw(
            "SELECT \(unsafeRaw: columnList) FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND \(ident: field) = \(bind: value)"
        ).all().map(record(from:))
    }

    /// A page of records matching `query`, in its sort order.
    /// - Parameters:
    ///   - reach: the workspace and the records the user may see.
    ///   - within: an extra equality, such as a company's contacts (`company_id`).
    ///   - search: words that must each start a search term of the record (`q=`).
    package func list(
        _ reach: RecordScope, query: ListQuery, limit: Int, after: RecordCursor?, before: RecordCursor? = nil,
        within: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (records: [Record], next: RecordCursor?, previous: RecordCursor?) {
        let page = try await listRows(
            reach, query: query, limit: limit, after: after, before: before, within: within, search: search)
        return (try page.rows.map(record(values:)), page.next, page.previous)
    }

    /// `list` as stored rows (`columns` order), for answers written straight from them.
    /// - Parameter before: instead of `after`, the page that ends just before this cursor (a "previous" link).
    /// - Returns: the rows, where the page after them starts (when there is one) and, when a page comes
    ///   before them, the cursor that reads it (`before:`).
    package func listRows(
        _ reach: RecordScope, query: ListQuery, limit: Int, after: RecordCursor?, before: RecordCursor? = nil,
        within: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (rows: [[DBValue]], next: RecordCursor?, previous: RecordCursor?) {
        let dialect = SQLFragments(kind: store.kind)
        let sortKey = dialect.sortKey(query.sort.target)
        var sql: SQLQueryString =
            "SELECT \(unsafeRaw: columnList), \(sortKey) AS sort_key FROM \(ident: table) WHERE "
            + conditions(reach, query: query, within: within, search: search, dialect: dialect)
        // Backwards, the page is read in the opposite order from its cursor and turned round.
        let backwards = before != nil
        let descending = query.sort.descending != backwards
        let direction = descending ? "DESC" : "ASC"
        if let cursor = before ?? after {
            let comparison = descending ? "<" : ">"
            sql =
                sql
                + " AND (\(sortKey), id) \(unsafeRaw: comparison) (\(dialect.bind(cursor.key)), \(bind: cursor.id))"
        }
        sql = sql + " ORDER BY sort_key \(unsafeRaw: direction), id \(unsafeRaw: direction) LIMIT \(bind: limit + 1)"
        let statement = sql
        var rows = try await store.readRows { try await $0.rows(statement) }
        let more = rows.count > limit
        if more { rows.removeLast(rows.count - limit) }
        if backwards { rows.reverse() }
        func cursor(_ row: [DBValue]?) -> RecordCursor? {
            guard let row, let id = row[1].text else { return nil }
            return RecordCursor(key: SQLFragments.sortValue(row[row.count - 1], target: query.sort.target), id: id)
        }
        let next = backwards || more ? cursor(rows.last) : nil
        let previous = backwards ? (more ? cursor(rows.first) : nil) : (after == nil ? nil : cursor(rows.first))
        for index in rows.indices { rows[index].removeLast() }
        return (rows, next, previous)
    }

    /// How many records a list's filters and search words match, whatever the page.
    package func count(
        _ reach: RecordScope, query: ListQuery, within: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> Int {
        let dialect = SQLFragments(kind: store.kind)
        let statement: SQLQueryString =
            "SELECT count(*) FROM \(ident: table) WHERE "
            + conditions(reach, query: query, within: within, search: search, dialect: dialect)
        return Int(try await store.readRows { try await $0.rows(statement) }.first?.first?.int ?? 0)
    }

    /// How many records have each value of a field (nil for none), most first.
    package func counts(_ reach: RecordScope, by field: String) async throws -> [(value: String?, count: Int)] {
        guard schema.field(field) != nil else { return [] }
        let (condition, binds) = visibleCondition(reach)
        let rows = try await store.readRows {
            try await $0.rows(
                "SELECT \(field), count(*) FROM \(table) WHERE \(condition) GROUP BY \(field) ORDER BY count(*) DESC",
                binds)
        }
        return rows.map { ($0[0].text, Int($0[1].int ?? 0)) }
    }

    /// What a list's rows must satisfy: the workspace and visibility, the equality, each filter, every
    /// search word.
    func conditions(
        _ reach: RecordScope, query: ListQuery, within: (column: String, value: String)?, search: [String],
        dialect: SQLFragments
    ) -> SQLQueryString {
        let workspaceID = reach.workspaceID
        var sql = visible(reach)
        // "My records" and "my team's": the reader's own scope of that width, the same SQL as visibility.
        if let narrow = query.scope, let userID = reach.userID,
            let (extra, binds) = RecordScope(workspaceID: workspaceID, visibility: narrow, userID: userID)
                .visibilityCondition(owned: schema.isOwned, ownerColumn: schema.ownerField)
        {
            sql = sql + " AND " + RecordScope.query(extra, binds)
        }
        if let within, let field = schema.field(within.column), field.kind.listedReferences(in: .array([])) != nil {
            // (a list of references: the records its links name)
            sql =
                sql
                + " AND id IN (SELECT record_id FROM record_links WHERE workspace_id = \(bind: reach.workspaceID) AND target_id = \(bind: within.value) AND object = \(bind: schema.name) AND field = \(bind: within.column))"
        } else if let within, schema.field(within.column) != nil {
            sql = sql + " AND \(ident: within.column) = \(bind: within.value)"
        }
        for filter in query.filters {
            sql = sql + " AND " + dialect.condition(filter)
        }
        if let segment = query.segment, schema.name == ObjectType.contacts.name {
            let (text, binds) = SegmentSQL.condition(
                segment.filter, kind: store.kind,
                reach: SegmentReach(contacts: reach, companies: segment.companies, orders: segment.orders))
            sql = sql + " AND " + RecordScope.query(text, binds)
        }
        if !search.isEmpty {
            sql = sql + " AND " + SearchRepository.matching(workspaceID: workspaceID, words: search, kind: store.kind)
        }
        return sql
    }

    /// Contacts' primary addresses and their companies' names, by contact id, in one statement (what a
    /// search result shows besides the name).
    package func addressesAndCompanies(workspaceID: String, contactIDs: [String]) async throws
        -> [String: (email: String?, companyID: String?, companyName: String?)]
    {
        let wanted = Array(Set(contactIDs.filter(RecordID.isWellFormed)))
        guard !wanted.isEmpty else { return [:] }
        let sql =
            "SELECT c.id, c.email, co.id, co.name FROM contacts c LEFT JOIN companies co ON co.workspace_id = c.workspace_id AND co.id = c.company_id WHERE c.workspace_id = ? AND c.id IN (\(RowSession.placeholders(wanted.count)))"
        let rows = try await store.readRows(inline: wanted.count <= 200) {
            try await $0.rows(sql, [.text(workspaceID)] + wanted.map(DBValue.text))
        }
        var found: [String: (email: String?, companyID: String?, companyName: String?)] = [:]
        for row in rows {
            if let id = row[0].text { found[id] = (row[1].text, row[2].text, row[3].text) }
        }
        return found
    }

    /// Titles by id (a company's name; a contact's first and last name, else its address), of the records
    /// inside `reach`.
    package func names(_ reach: RecordScope, ids: [String]) async throws -> [String: String] {
        try await store.readRows(inline: ids.count <= 200) {
            try await titles(reach, ids: ids, on: $0)
        }
    }

    /// `names` on a leased session (inside a transaction, it sees the transaction's writes).
    package func titles(_ reach: RecordScope, ids: [String], on session: RowSession) async throws -> [String: String] {
        let wanted = Array(Set(ids.filter(RecordID.isWellFormed)))
        guard !wanted.isEmpty else { return [:] }
        let fields = titleFields
        let workspaceID = reach.workspaceID
        var titles: [String: String] = [:]
        for chunk in wanted.chunks(of: 5000) {
            let (from, binds) = byIDs(chunk.count, reach)
            let sql = "\(from.with) SELECT t.id, \(fields.map { "t.\($0)" }.joined(separator: ", ")) \(from.rest)"
            for row in try await session.rows(sql, chunk.map(DBValue.text) + binds) {
                guard let id = row[0].text else { continue }
                var values: [String: JSONValue] = [:]
                for (index, field) in fields.enumerated() {
                    values[field] = row[index + 1].text.map(JSONValue.string) ?? .null
                }
                titles[id] = schema.title(
                    of: Record(
                        id: id, workspaceID: workspaceID, values: values, custom: [:], version: 1, createdAt: 0,
                        updatedAt: 0))
            }
        }
        return titles
    }

    /// One record's title, inside a transaction; nil when there is no such record.
    package func title(workspaceID: String, id: String, on database: any SQLDatabase) async throws -> String? {
        let fields = titleFields
        guard
            let row = try await database.raw(
                "SELECT \(unsafeRaw: fields.joined(separator: ", ")) FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
            ).first()
        else { return nil }
        var values: [String: JSONValue] = [:]
        for field in fields {
            values[field] = try row.decode(column: field, as: String?.self).map(JSONValue.string) ?? .null
        }
        return schema.title(
            of: Record(
                id: id, workspaceID: workspaceID, values: values, custom: [:], version: 1, createdAt: 0, updatedAt: 0))
    }

    /// The fields a title is made of, once each.
    var titleFields: [String] { schema.title.flatMap { $0 }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

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

    /// Writes one new record's row inside a transaction (a record another write makes: the order a won
    /// deal records). Imports and creates write theirs with `insert(_:on:)` of `NewRows`.
    package func insert(_ record: Record, on database: any SQLDatabase) async throws {
        let binds = try self.binds(record)
        try await database.raw(
            "INSERT INTO \(ident: table) (\(unsafeRaw: columnList)) VALUES (\(binds: binds))"
        ).run()
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
        try await emailOwner(workspaceID: workspaceID, emails: [email])
    }

    /// A record that has one of `emails` as a primary or additional address, read outside any
    /// transaction (an index lookup per address, on the calling thread).
    package func emailOwner(workspaceID: String, emails: [String]) async throws -> String? {
        guard !emails.isEmpty else { return nil }
        let binds = [DBValue.text(workspaceID)] + emails.map(DBValue.text)
        let sql =
            "SELECT contact_id FROM contact_emails WHERE workspace_id = ? AND email IN (\(RowSession.placeholders(emails.count)))"
        return try await store.readRows(inline: emails.count <= 50) { try await $0.rows(sql, binds) }.first?.first?.text
    }

    /// The oldest record whose `field` is exactly `value` (a company by name).
    package func oldest(where field: String, is value: String, workspaceID: String) async throws -> String? {
        guard schema.field(field) != nil else { return nil }
        return try await store.database.raw(
            "SELECT id FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND \(ident: field) = \(bind: value) ORDER BY created_at, id LIMIT 1"
        ).first().map { try $0.decode(column: "id", as: String.self) }
    }

    /// The record whose unique `field` is `value` (a company by domain).
    /// - Parameter database: a transaction's; nil reads outside any, with a kept statement on a reader.
    package func id(whereUnique field: String, is value: String, workspaceID: String, on database: (any SQLDatabase)?)
        async throws -> String?
    {
        guard schema.field(field) != nil else { return nil }
        guard let database else {
            let sql = "SELECT id FROM \(table) WHERE workspace_id = ? AND \(field) = ?"
            return try await store.readRows(inline: true) {
                try await $0.rows(sql, [.text(workspaceID), .text(value)])
            }.first?.first?.text
        }
        return try await database.raw(
            "SELECT id FROM \(ident: table) WHERE workspace_id = \(bind: workspaceID) AND \(ident: field) = \(bind: value)"
        ).first().map { try $0.decode(column: "id", as: String.self) }
    }

    /// Points the records whose `field` is `from` elsewhere (or nowhere), when what they point to is merged
    /// or deleted; each is a new version.
    package func moveReferences(
        _ field: String, from: String, to target: String?, workspaceID: String, on database: any SQLDatabase
    ) async throws {
        guard schema.field(field) != nil else { return }
        try await database.raw(
            "UPDATE \(ident: table) SET \(ident: field) = \(bind: target), version = version + 1, updated_at = \(bind: Timestamp.micros(Date())) WHERE workspace_id = \(bind: workspaceID) AND \(ident: field) = \(bind: from)"
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

package import RapportCore
import RapportStore

extension RecordService {
    /// A page of records matching `query`, in its sort order.
    /// - Parameters:
    ///   - scope: an extra equality, such as a company's contacts (`company_id`).
    ///   - search: words that must each start a search term of the record (`q=`).
    ///   - before: instead of `after`, the page that ends just before this cursor.
    /// - Returns: the records, where the next page starts, and (after a first page) how to read the page before.
    package func list(
        workspaceID: String, query: ListQuery, limit: Int, after: RecordCursor?, before: RecordCursor? = nil,
        scope: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (records: [Record], next: RecordCursor?, previous: RecordCursor?) {
        try await repository.list(
            workspaceID: workspaceID, query: query, limit: limit, after: after, before: before, scope: scope,
            search: search)
    }

    /// How many records have each value of a field (nil for none), most first.
    package func counts(workspaceID: String, by field: String) async throws -> [(value: String?, count: Int)] {
        try await repository.counts(workspaceID: workspaceID, by: field)
    }

    /// How many records match a list's filters and search words.
    package func count(
        workspaceID: String, query: ListQuery, scope: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> Int {
        try await repository.count(workspaceID: workspaceID, query: query, scope: scope, search: search)
    }

    /// `list` as stored rows, each answered as it is stored (`StoredRecordBody`): the API's fast path.
    package func listBodies(
        workspaceID: String, query: ListQuery, limit: Int, after: RecordCursor?,
        scope: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (bodies: [StoredRecordBody], next: RecordCursor?) {
        let page = try await repository.listRows(
            workspaceID: workspaceID, query: query, limit: limit, after: after, scope: scope, search: search)
        return (page.rows.map { StoredRecordBody(row: $0, repository: repository) }, page.next)
    }

    /// `get` as the stored record's JSON answer.
    package func getBody(workspaceID: String, id: String) async throws -> StoredRecordBody {
        StoredRecordBody(row: try await getRow(workspaceID: workspaceID, id: id), repository: repository)
    }

    /// What some records are called, by id; unknown ids are left out.
    package func titles(workspaceID: String, ids: [String]) async throws -> [String: String] {
        try await repository.names(workspaceID: workspaceID, ids: ids)
    }

    /// A record by its id or by one of its unique keys (an email address, a domain, a SKU), as a person
    /// types it when choosing what to merge.
    package func find(key text: String, workspaceID: String) async throws -> Record? {
        if RecordID.isWellFormed(text) {
            return try await repository.find(workspaceID: workspaceID, id: text.lowercased())
        }
        let id: String?
        if schema.hasUniqueEmails {
            id = try await repository.emailOwner(workspaceID: workspaceID, emails: [Email.normalize(text)])
        } else if let unique = schema.uniqueFields.first {
            id = try await repository.id(
                whereUnique: unique.field, is: text.lowercased(), workspaceID: workspaceID, on: nil)
        } else {
            id = nil
        }
        guard let id else { return nil }
        return try await repository.find(workspaceID: workspaceID, id: id)
    }

    /// Titles of what the records' reference fields point to, by field and id: a contact's company, a
    /// record's owner.
    package func referenceTitles(_ records: [Record], fields: [String], workspaceID: String) async throws
        -> [String: [String: String]]
    {
        var titles: [String: [String: String]] = [:]
        for name in fields {
            let ids = Array(Set(records.compactMap { $0.string(name) }))
            guard !ids.isEmpty else { continue }
            titles[name] = try await referenceTitles(field: name, ids: ids, workspaceID: workspaceID)
        }
        return titles
    }

    /// Titles of what one reference field points to, by id: users' names, or other records' titles.
    package func referenceTitles(field: String, ids: [String], workspaceID: String) async throws -> [String: String] {
        guard case .reference(let table) = schema.field(field)?.kind, !ids.isEmpty else { return [:] }
        if table == "users" { return try await AccountService(services).names(workspaceID: workspaceID, ids: ids) }
        guard let target = ObjectCatalog.named(table) else { return [:] }
        return try await service(of: target).titles(workspaceID: workspaceID, ids: ids)
    }

    /// The records of other objects that point to this one (a company's contacts), by title, at most
    /// `limit` of each.
    package func related(workspaceID: String, id: String, limit: Int = 200) async throws -> [(
        type: ObjectType, records: [Record]
    )] {
        var related: [(type: ObjectType, records: [Record])] = []
        for (type, field) in ObjectCatalog.referrers(of: schema.name) {
            var query = ListQuery()
            if let first = type.title.first?.last, let spec = type.field(first) {
                query.sort = ListQuery.Sort(target: .standard(name: first, kind: spec.kind), descending: false)
            }
            let found = try await service(of: type).list(
                workspaceID: workspaceID, query: query, limit: limit, after: nil, scope: (field, id))
            related.append((type, found.records))
        }
        return related
    }
}

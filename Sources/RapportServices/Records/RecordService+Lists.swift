package import RapportCore
import RapportStore

extension RecordService {
    /// A page of records matching `query`, in its sort order.
    /// - Parameters:
    ///   - within: an extra equality, such as a company's contacts (`company_id`).
    ///   - search: words that must each start a search term of the record (`q=`).
    ///   - before: instead of `after`, the page that ends just before this cursor.
    /// - Returns: the records the viewer may see, where the next page starts, and (after a first page) how
    ///   to read the page before.
    package func list(
        _ viewer: Viewer, query: ListQuery, limit: Int, after: RecordCursor?, before: RecordCursor? = nil,
        within: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (records: [Record], next: RecordCursor?, previous: RecordCursor?) {
        try requireReadable(query, viewer)
        let page = try await repository.list(
            try viewer.scope(.read, on: schema), query: query, limit: limit, after: after, before: before,
            within: within, search: search)
        return (page.records.map { viewer.redacted($0, schema) }, page.next, page.previous)
    }

    /// How many records the viewer sees have each value of a field (nil for none), most first.
    package func counts(_ viewer: Viewer, by field: String) async throws -> [(value: String?, count: Int)] {
        guard !viewer.hiddenFields(schema).contains(field) else { return [] }
        return try await repository.counts(try viewer.scope(.read, on: schema), by: field)
    }

    /// How many records the viewer sees match a list's filters and search words.
    package func count(
        _ viewer: Viewer, query: ListQuery, within: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> Int {
        try requireReadable(query, viewer)
        return try await repository.count(
            try viewer.scope(.read, on: schema), query: query, within: within, search: search)
    }

    /// `list` as stored rows, each answered as it is stored (`StoredRecordBody`): the API's fast path.
    package func listBodies(
        _ viewer: Viewer, query: ListQuery, limit: Int, after: RecordCursor?,
        within: (column: String, value: String)? = nil, search: [String] = []
    ) async throws -> (bodies: [StoredRecordBody], next: RecordCursor?) {
        try requireReadable(query, viewer)
        let page = try await repository.listRows(
            try viewer.scope(.read, on: schema), query: query, limit: limit, after: after, within: within,
            search: search)
        let hidden = viewer.hiddenFields(schema)
        return (page.rows.map { StoredRecordBody(row: $0, repository: repository, hidden: hidden) }, page.next)
    }

    /// A list may not filter or sort by a field the viewer's role hides: its answer would tell the values.
    /// - Throws: `forbidden` naming the field.
    package func requireReadable(_ query: ListQuery, _ viewer: Viewer) throws {
        let hidden = viewer.hiddenFields(schema)
        guard !hidden.isEmpty else { return }
        let used = query.filters.map(\.target.name) + [query.sort.target.name]
        if let field = used.first(where: hidden.contains) {
            throw RapportError(
                .forbidden, "Your role may not read \(field).",
                fields: [FieldIssue(field, key: "field_hidden", "Your role may not read this field.")])
        }
    }

    /// `get` as the stored record's JSON answer.
    package func getBody(_ viewer: Viewer, id: String) async throws -> StoredRecordBody {
        StoredRecordBody(
            row: try await getRow(viewer, id: id), repository: repository, hidden: viewer.hiddenFields(schema))
    }

    /// What some records the viewer may see are called, by id; others are left out.
    package func titles(_ viewer: Viewer, ids: [String]) async throws -> [String: String] {
        guard let reach = viewer.scopeIfAllowed(.read, on: schema) else { return [:] }
        return try await repository.names(reach, ids: ids)
    }

    /// A record the viewer may see, by its id or by one of its unique keys (an email address, a domain, a
    /// SKU), as a person types it when choosing what to merge.
    package func find(key text: String, viewer: Viewer) async throws -> Record? {
        let workspaceID = viewer.workspaceID
        let reach = try viewer.scope(.read, on: schema)
        if RecordID.isWellFormed(text) {
            return try await repository.find(reach, id: text.lowercased()).map { viewer.redacted($0, schema) }
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
        return try await repository.find(reach, id: id).map { viewer.redacted($0, schema) }
    }

    /// Titles of what the records' reference fields point to, by field and id: a contact's company, a
    /// record's owner.
    package func referenceTitles(_ records: [Record], fields: [String], viewer: Viewer) async throws
        -> [String: [String: String]]
    {
        var titles: [String: [String: String]] = [:]
        for name in fields {
            if let kind = schema.field(name)?.kind, let listed = kind.listedReferences(in: .array([])) {
                // (a list of references, or line items: the titles of every record they name)
                let ids = Array(Set(records.flatMap { kind.listedReferences(in: $0[name])?.ids ?? [] }))
                guard !ids.isEmpty, let target = ObjectCatalog.named(listed.table) else { continue }
                titles[name] = try await service(of: target).titles(viewer, ids: ids)
                continue
            }
            let ids = Array(Set(records.compactMap { $0.string(name) }))
            guard !ids.isEmpty else { continue }
            titles[name] = try await referenceTitles(field: name, ids: ids, viewer: viewer)
        }
        return titles
    }

    /// Titles of what one reference field points to, by id: users' and teams' names, or the titles of
    /// other records the viewer may see.
    package func referenceTitles(field: String, ids: [String], viewer: Viewer) async throws -> [String: String] {
        guard case .reference(let table) = schema.field(field)?.kind, !ids.isEmpty else { return [:] }
        if table == "users" {
            return try await AccountService(services).names(workspaceID: viewer.workspaceID, ids: ids)
        }
        if table == "teams" { return try await TeamService(services).names(workspaceID: viewer.workspaceID, ids: ids) }
        if table == "pipelines" || table == "stages" {
            return try await PipelineService(services).names(viewer, ids: ids)
        }
        guard let target = ObjectCatalog.named(table) else { return [:] }
        return try await service(of: target).titles(viewer, ids: ids)
    }

    /// The records of other objects that point to this one (a company's contacts), by title, at most
    /// `limit` of each, with the field that points here; those that name it in their lines (a product's
    /// deals and orders) by their first date, newest first.
    package func related(_ viewer: Viewer, id: String, limit: Int = 200) async throws -> [(
        type: ObjectType, field: String, records: [Record]
    )] {
        var related: [(type: ObjectType, field: String, records: [Record])] = []
        // (a deal names its contacts and products in lists: those count as pointing here too)
        for (type, field) in ObjectCatalog.referrers(of: schema.name) + ObjectCatalog.listReferrers(of: schema.name)
        where viewer.allows(.read, on: type) {
            var query = ListQuery()
            if type.field(field)?.kind == .lineItems,
                let date = type.fields.first(where: { $0.kind == .date || $0.kind == .dateTime })
            {
                query.sort = ListQuery.Sort(target: .standard(name: date.name, kind: date.kind), descending: true)
            } else if let first = type.title.first?.last, let spec = type.field(first) {
                query.sort = ListQuery.Sort(target: .standard(name: first, kind: spec.kind), descending: false)
            }
            let found = try await service(of: type).list(
                viewer, query: query, limit: limit, after: nil, within: (field, id))
            related.append((type, field, found.records))
        }
        return related
    }
}

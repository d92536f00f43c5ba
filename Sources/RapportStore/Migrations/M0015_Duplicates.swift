import RapportCore
import RapportDatabase
import SQLKit

/// Suggested duplicates: the normalised keys each record is compared by (`DuplicateRule`, one row per
/// rule, scope and key), and the pairs a user said are not duplicates.
///
/// `duplicate_keys` is read through its primary key, which leads with the workspace, object, rule,
/// scope and key, so a record's matches are one index probe per key of the record and a workspace's
/// pairs come in key order from one index walk; its second index finds a record's keys and holds all
/// that is read of them (rule, scope and key in order, then `value`), so neither database plans a walk
/// of the workspace's keys instead (without it, SQLite did: seconds a page at 100,000 contacts). Keys are
/// normalised in Swift, so both databases compare the same bytes (`TEXT_BINARY`). A dismissal keeps
/// the pair in Swift's order (`record_a` < `record_b`), who said so and when; deleting or merging
/// away a record removes its keys and its dismissals. The records already stored get their keys here.
enum M0015_Duplicates {
    static let migration = Migration(
        version: 15, name: "suggested duplicates",
        statements: [
            """
            CREATE TABLE duplicate_keys (
                workspace_id TEXT NOT NULL, object TEXT NOT NULL, rule TEXT_BINARY NOT NULL, scope TEXT_BINARY NOT NULL,
                match_key TEXT_BINARY NOT NULL, record_id TEXT_BINARY NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (workspace_id, object, rule, scope, match_key, record_id)) WITHOUT_ROWID
            """,
            "CREATE INDEX duplicate_keys_record ON duplicate_keys (workspace_id, object, record_id, rule, scope, match_key, value)",
            """
            CREATE TABLE duplicate_dismissals (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                object TEXT NOT NULL, record_a TEXT_BINARY NOT NULL, record_b TEXT_BINARY NOT NULL,
                dismissed_by TEXT, dismissed_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, object, record_a, record_b))
            """,
            "CREATE INDEX duplicate_dismissals_b ON duplicate_dismissals (workspace_id, object, record_b)",
        ],
        fill: { store, database in
            for type in ObjectCatalog.all where !type.duplicates.isEmpty {
                try await M0015_Duplicates.fillKeys(type, store: store, on: database)
            }
        })

    /// Standard fields added by later migrations: for every object, or for one (M0023's company stage,
    /// M0025's external ids, M0026's email status).
    static let laterFields: [(field: String, object: String?)] = [
        ("team_id", nil), ("lifecycle_stage", "companies"), ("external_id", nil), ("email_status", "contacts"),
    ]

    /// Writes the keys of every stored record of an object, a page of records at a time.
    static func fillKeys(_ type: ObjectType, store: Store, on database: any SQLDatabase) async throws {
        // (the columns this migration knows: those added later, such as M0020's team, do not exist yet)
        var type = type
        type.fields.removeAll { field in
            M0015_Duplicates.laterFields.contains { $0.field == field.name && ($0.object ?? type.name) == type.name }
        }
        let repository = RecordRepository(store: store, schema: type)
        var last: (workspace: String, id: String)?
        while true {
            var sql: SQLQueryString = "SELECT \(unsafeRaw: repository.columnList) FROM \(ident: type.name)"
            if let last {
                sql = sql + " WHERE (workspace_id, id) > (\(bind: last.workspace), \(bind: last.id))"
            }
            sql = sql + " ORDER BY workspace_id, id LIMIT 2000"
            let records = try await database.raw(sql).all().map(repository.record(from:))
            guard let final = records.last else { return }
            try await DuplicateRepository.insertKeys(of: records, type: type, on: database)
            last = (final.workspaceID, final.id)
        }
    }
}

/// Search: one document per contact or company (the keys that rank a result) and one row per term
/// (normalised in Swift by `SearchKey`), so prefix search is a range scan on `(workspace_id, term)` and
/// gives the same answers on both databases.
enum M0003_Search {
    static let migration = Migration(
        version: 3, name: "search",
        statements: [
            """
            CREATE TABLE search_docs (
                workspace_id TEXT NOT NULL, record_id TEXT NOT NULL, record_type TEXT NOT NULL,
                name_key TEXT_BINARY NOT NULL, email_key TEXT_BINARY, display_name TEXT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, record_id))
            """,
            """
            CREATE TABLE search_terms (
                workspace_id TEXT NOT NULL, term TEXT_BINARY NOT NULL, record_id TEXT NOT NULL,
                PRIMARY KEY (workspace_id, term, record_id))
            """,
            "CREATE INDEX search_terms_record ON search_terms (workspace_id, record_id)",
        ])
}

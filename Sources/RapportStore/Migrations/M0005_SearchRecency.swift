/// Search that stays fast when a typed prefix matches a large part of a big workspace: each document
/// keeps its terms (so matches are checked on the document itself), and indexes find the most
/// recently updated documents, exact names and addresses, and names starting with the query without
/// reading every match. Documents written before this migration get their terms from `search_terms`.
enum M0005_SearchRecency {
    static let migration = Migration(
        version: 5, name: "search by recency",
        statements: [
            "ALTER TABLE search_docs ADD COLUMN terms TEXT NOT NULL DEFAULT ''",
            """
            UPDATE search_docs SET terms = COALESCE((
                SELECT JOIN_WITH_SPACES(t.term) FROM search_terms t
                WHERE t.workspace_id = search_docs.workspace_id AND t.record_id = search_docs.record_id), '')
            """,
            "CREATE INDEX search_docs_recent ON search_docs (workspace_id, updated_at, record_id)",
            "CREATE INDEX search_docs_name ON search_docs (workspace_id, name_key, updated_at)",
            "CREATE INDEX search_docs_email ON search_docs (workspace_id, email_key, updated_at)",
        ])
}

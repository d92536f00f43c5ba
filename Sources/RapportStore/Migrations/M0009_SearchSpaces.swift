import RapportDatabase

/// SQLite only: each workspace's search documents get keys from a range of their own, so a search
/// reads only its workspace's part of the one FTS5 index (a rowid range, which FTS5 seeks to).
///
/// FTS5 has no workspace: before, the newest matches of a query could all belong to another workspace
/// that had just imported a million contacts, and a dense search then fell back to reading recent
/// documents. A workspace's range starts at its `space` shifted left by 40 bits (a trillion keys
/// each, eight million workspaces); `search_spaces` gives out spaces in order and never reuses one.
/// Keys stay in update order within a workspace (`SearchRepository.index`). PostgreSQL keeps
/// `search_terms`, which has the workspace in every row.
enum M0009_SearchSpaces {
    static let migration = Migration(
        version: 9, name: "search key ranges per workspace", only: .sqlite,
        statements: [
            "CREATE TABLE search_spaces (space INTEGER PRIMARY KEY AUTOINCREMENT, workspace_id TEXT NOT NULL UNIQUE)",
            """
            INSERT INTO search_spaces (workspace_id)
            SELECT id FROM (SELECT id, created_at FROM workspaces
                            UNION SELECT workspace_id, 0 FROM search_docs WHERE workspace_id NOT IN (SELECT id FROM workspaces))
            ORDER BY created_at, id
            """,
            """
            CREATE TABLE search_docs_v9 (
                doc INTEGER PRIMARY KEY,
                workspace_id TEXT NOT NULL, record_id TEXT NOT NULL, record_type TEXT NOT NULL,
                name_key TEXT NOT NULL, email_key TEXT, display_name TEXT NOT NULL, updated_at BIGINT NOT NULL,
                terms TEXT NOT NULL DEFAULT '',
                UNIQUE (workspace_id, record_id))
            """,
            """
            INSERT INTO search_docs_v9 (doc, workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms)
            SELECT (s.space << 40) + row_number() OVER (PARTITION BY d.workspace_id ORDER BY d.doc),
                   d.workspace_id, d.record_id, d.record_type, d.name_key, d.email_key, d.display_name, d.updated_at, d.terms
            FROM search_docs d JOIN search_spaces s ON s.workspace_id = d.workspace_id
            """,
            "DROP TABLE search_index",
            "DROP TABLE search_docs",
            "ALTER TABLE search_docs_v9 RENAME TO search_docs",
            "CREATE INDEX search_docs_recent ON search_docs (workspace_id, updated_at, record_id)",
            "CREATE INDEX search_docs_name ON search_docs (workspace_id, name_key, updated_at, record_id)",
            "CREATE INDEX search_docs_email ON search_docs (workspace_id, email_key, updated_at, record_id)",
            """
            CREATE VIRTUAL TABLE search_index USING fts5(
                terms, content='search_docs', content_rowid='doc', columnsize=0, detail=none,
                tokenize="ascii tokenchars '!""#$%&''()*+,-./:;<=>?@[\\]^_`{|}~'", prefix='1 2 3 4 5 6')
            """,
            "INSERT INTO search_index (search_index) VALUES ('rebuild')",
        ])
}

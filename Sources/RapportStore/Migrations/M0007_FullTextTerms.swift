import RapportDatabase

/// SQLite only: search terms move from one B-tree row per term into an FTS5 index over the documents'
/// `terms` column. A contact wrote ten-odd `(workspace, term, record)` rows of about 85 bytes each,
/// a quarter of an import's B-tree work and of the file; FTS5 keeps them as compressed posting lists
/// built in memory and written once per transaction.
///
/// Documents get an integer key (`doc`), the FTS row they are indexed under; `(workspace_id, record_id)`
/// stays unique. The name and address indexes now end in `record_id` themselves (a `WITHOUT ROWID`
/// table's indexes carried it implicitly), so the most recent exact matches come in order from the index. The index is external-content (it reads `search_docs` to rebuild) and holds no
/// positions (`detail=none`): a query asks only which documents have a term starting with each word.
/// Terms are normalised in Swift (`SearchKey`) and separated by single spaces, so the tokenizer splits
/// on spaces alone: `ascii` with every ASCII punctuation mark as a token character (it also folds
/// ASCII case, which normalised terms have already lost). Prefixes of one to six characters are
/// indexed, so a short typed prefix reads one posting list instead of merging every term under it.
/// PostgreSQL keeps `search_terms`; the migration is recorded there and does nothing.
enum M0007_FullTextTerms {
    static let migration = Migration(
        version: 7, name: "full-text search terms", only: .sqlite,
        statements: [
            """
            CREATE TABLE search_docs_v7 (
                doc INTEGER PRIMARY KEY,
                workspace_id TEXT NOT NULL, record_id TEXT NOT NULL, record_type TEXT NOT NULL,
                name_key TEXT NOT NULL, email_key TEXT, display_name TEXT NOT NULL, updated_at BIGINT NOT NULL,
                terms TEXT NOT NULL DEFAULT '',
                UNIQUE (workspace_id, record_id))
            """,
            """
            INSERT INTO search_docs_v7 (workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms)
            SELECT workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at, terms FROM search_docs
            """,
            "DROP TABLE search_docs",
            "ALTER TABLE search_docs_v7 RENAME TO search_docs",
            "CREATE INDEX search_docs_recent ON search_docs (workspace_id, updated_at, record_id)",
            "CREATE INDEX search_docs_name ON search_docs (workspace_id, name_key, updated_at, record_id)",
            "CREATE INDEX search_docs_email ON search_docs (workspace_id, email_key, updated_at, record_id)",
            """
            CREATE VIRTUAL TABLE search_index USING fts5(
                terms, content='search_docs', content_rowid='doc', columnsize=0, detail=none,
                tokenize="ascii tokenchars '!""#$%&''()*+,-./:;<=>?@[\\]^_`{|}~'", prefix='1 2 3 4 5 6')
            """,
            "INSERT INTO search_index (search_index) VALUES ('rebuild')",
            "DROP TABLE search_terms",
        ])
}

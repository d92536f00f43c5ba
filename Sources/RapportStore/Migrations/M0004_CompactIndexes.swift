import RapportDatabase

/// SQLite only: the address index and the search tables become `WITHOUT ROWID`, so each row lives in
/// its primary key's B-tree instead of a table plus a copy of its key in an index. A contact writes
/// about fifteen of these rows (mostly search terms); this cuts a third of the B-tree inserts of an
/// import and makes a prefix search read one index range with nothing to look up afterwards.
/// PostgreSQL keeps its heap tables; the migration is recorded there and does nothing.
enum M0004_CompactIndexes {
    static let migration = Migration(
        version: 4, name: "compact address and search indexes", only: .sqlite,
        statements: [
            """
            CREATE TABLE contact_emails_v4 (
                workspace_id TEXT NOT NULL, email TEXT NOT NULL, contact_id TEXT NOT NULL,
                PRIMARY KEY (workspace_id, email)) WITHOUT ROWID
            """,
            "INSERT INTO contact_emails_v4 SELECT workspace_id, email, contact_id FROM contact_emails",
            "DROP TABLE contact_emails",
            "ALTER TABLE contact_emails_v4 RENAME TO contact_emails",
            "CREATE INDEX contact_emails_contact ON contact_emails (workspace_id, contact_id)",
            """
            CREATE TABLE search_docs_v4 (
                workspace_id TEXT NOT NULL, record_id TEXT NOT NULL, record_type TEXT NOT NULL,
                name_key TEXT NOT NULL, email_key TEXT, display_name TEXT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, record_id)) WITHOUT ROWID
            """,
            """
            INSERT INTO search_docs_v4
            SELECT workspace_id, record_id, record_type, name_key, email_key, display_name, updated_at FROM search_docs
            """,
            "DROP TABLE search_docs",
            "ALTER TABLE search_docs_v4 RENAME TO search_docs",
            """
            CREATE TABLE search_terms_v4 (
                workspace_id TEXT NOT NULL, term TEXT NOT NULL, record_id TEXT NOT NULL,
                PRIMARY KEY (workspace_id, term, record_id)) WITHOUT ROWID
            """,
            "INSERT INTO search_terms_v4 SELECT workspace_id, term, record_id FROM search_terms",
            "DROP TABLE search_terms",
            "ALTER TABLE search_terms_v4 RENAME TO search_terms",
            "CREATE INDEX search_terms_record ON search_terms (workspace_id, record_id)",
        ])
}

/// List indexes that also hold what visibility asks of a record (its owner and team), after the key a
/// list is read in: a page for a user who sees some of the records is read from the index, each entry
/// tested there, and only the rows shown are fetched. At a million contacts owned by ten reps, a page of
/// one rep's customers looked up every contact of theirs to test the stage (about 460 lookups for 51
/// rows) and took 2.6 times as long as the owner's page; with the stage in the owner's index it reads
/// its page like the owner's. The order of each index is unchanged (the extra columns come after `id`).
/// Search's indexes of exact names and addresses get the same, with the record type.
enum M0022_VisibleLists {
    static let indexes: [(name: String, table: String, columns: String)] = [
        ("contacts_created", "contacts", "workspace_id, created_at, id, owner_id, team_id"),
        ("contacts_lifecycle", "contacts", "workspace_id, lifecycle_stage, created_at, id, owner_id, team_id"),
        ("contacts_owner", "contacts", "workspace_id, owner_id, created_at, id, lifecycle_stage, team_id"),
        ("contacts_company", "contacts", "workspace_id, company_id, created_at, id, owner_id, team_id"),
        ("contacts_country", "contacts", "workspace_id, country, created_at, id, owner_id, team_id"),
        ("contacts_last_name", "contacts", "workspace_id, (COALESCE(last_name, '')), id, owner_id, team_id"),
        ("contacts_updated", "contacts", "workspace_id, updated_at, id, owner_id, team_id"),
        ("companies_created", "companies", "workspace_id, created_at, id, owner_id, team_id"),
        ("companies_owner", "companies", "workspace_id, owner_id, created_at, id, team_id"),
        ("companies_name_sort", "companies", "workspace_id, (COALESCE(name, '')), id, owner_id, team_id"),
        ("companies_updated", "companies", "workspace_id, updated_at, id, owner_id, team_id"),
        // search's exact names and addresses, newest first, tested for the reader as they are read
        (
            "search_docs_name", "search_docs",
            "workspace_id, name_key, updated_at, record_id, record_type, owner_id, team_id"
        ),
        (
            "search_docs_email", "search_docs",
            "workspace_id, email_key, updated_at, record_id, record_type, owner_id, team_id"
        ),
    ]

    static let migration = Migration(
        version: 22, name: "visible lists",
        statements: indexes.flatMap { index in
            ["DROP INDEX \(index.name)", "CREATE INDEX \(index.name) ON \(index.table) (\(index.columns))"]
        })
}

/// Indexes behind the lists people open most at scale. At 100,000 contacts, counting the contacts of
/// one country scanned the workspace (40 ms warm), sorting by last name sorted it all (70 ms), and the
/// home page's recently changed records did the same by `updated_at`; each is now an index range. The
/// sort indexes are on the very expression a list orders by (`COALESCE(last_name, '')`). The home
/// page's panel of a user's own records reads them by owner, most recently changed first.
enum M0019_ListIndexes {
    static let migration = Migration(
        version: 19, name: "list indexes",
        statements: [
            "CREATE INDEX contacts_country ON contacts (workspace_id, country, created_at, id)",
            "CREATE INDEX contacts_last_name ON contacts (workspace_id, (COALESCE(last_name, '')), id)",
            "CREATE INDEX contacts_updated ON contacts (workspace_id, updated_at, id)",
            "CREATE INDEX companies_name_sort ON companies (workspace_id, (COALESCE(name, '')), id)",
            "CREATE INDEX companies_updated ON companies (workspace_id, updated_at, id)",
            "CREATE INDEX contacts_owner_updated ON contacts (workspace_id, owner_id, updated_at, id)",
            "CREATE INDEX companies_owner_updated ON companies (workspace_id, owner_id, updated_at, id)",
        ])
}

/// The indexes of the filters a list is most often narrowed by (lifecycle stage, owner, company) end in
/// the default order (`created_at, id`), so a filtered page of the newest contacts reads its fifty
/// entries from one index range. Before, the database walked the creation index and looked up every
/// contact to test the filter: about nine hundred lookups for a page of customers.
enum M0008_FilteredLists {
    static let migration = Migration(
        version: 8, name: "filtered lists in creation order",
        statements: [
            "contacts_company": "company_id", "contacts_lifecycle": "lifecycle_stage", "contacts_owner": "owner_id",
        ]
        .sorted { $0.key < $1.key }
        .flatMap { index, column in
            [
                "DROP INDEX \(index)",
                "CREATE INDEX \(index) ON contacts (workspace_id, \(column), created_at, id)",
            ]
        })
}

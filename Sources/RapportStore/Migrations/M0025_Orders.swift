/// Orders: what customers bought, with their lines as JSON (the products they name are in
/// `record_links`, so a product's orders are an index range), a reference unique in the workspace when
/// set, and a customer's orders by time. Contacts and companies get an external id (a shop's customer
/// number), unique in the workspace when set, by which an order import finds them.
enum M0025_Orders {
    static let migration = Migration(
        version: 25, name: "orders",
        statements: [
            """
            CREATE TABLE orders (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                reference TEXT, contact_id TEXT, company_id TEXT, deal_id TEXT, ordered_at BIGINT, currency TEXT,
                lines TEXT, total BIGINT, owner_id TEXT, team_id TEXT,
                custom TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX orders_reference ON orders (workspace_id, reference) WHERE reference IS NOT NULL",
            "CREATE INDEX orders_created ON orders (workspace_id, created_at, id, owner_id, team_id)",
            "CREATE INDEX orders_updated ON orders (workspace_id, updated_at, id, owner_id, team_id)",
            "CREATE INDEX orders_owner ON orders (workspace_id, owner_id, created_at, id, team_id)",
            // a customer's orders by time (the purchases panel, the timeline's order of purchases)
            "CREATE INDEX orders_contact ON orders (workspace_id, contact_id, ordered_at, id, owner_id, team_id)",
            "CREATE INDEX orders_company ON orders (workspace_id, company_id, ordered_at, id, owner_id, team_id)",
            "CREATE INDEX orders_deal ON orders (workspace_id, deal_id) WHERE deal_id IS NOT NULL",
            "CREATE INDEX orders_ordered ON orders (workspace_id, ordered_at, id, owner_id, team_id)",
            "ALTER TABLE contacts ADD COLUMN external_id TEXT",
            "ALTER TABLE companies ADD COLUMN external_id TEXT",
            "CREATE UNIQUE INDEX contacts_external_id ON contacts (workspace_id, external_id) WHERE external_id IS NOT NULL",
            "CREATE UNIQUE INDEX companies_external_id ON companies (workspace_id, external_id) WHERE external_id IS NOT NULL",
        ])
}

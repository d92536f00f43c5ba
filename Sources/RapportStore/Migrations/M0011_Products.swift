/// Products: what a workspace sells. A SKU is unique in its workspace; the price is in minor units of
/// its currency; `active` is 1 or 0.
enum M0011_Products {
    static let migration = Migration(
        version: 11, name: "products",
        statements: [
            """
            CREATE TABLE products (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                name TEXT, sku TEXT, category TEXT, unit_price BIGINT, currency TEXT, active BIGINT,
                custom TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX products_sku ON products (workspace_id, sku) WHERE sku IS NOT NULL",
            "CREATE INDEX products_created ON products (workspace_id, created_at, id)",
            "CREATE INDEX products_name ON products (workspace_id, name)",
        ])
}

import SQLKit

/// Sales: pipelines and their stages, deals, the append-only history of deals' stages, links from a
/// record's list of references to their targets (a deal's contacts and products), and deals on the
/// timeline. Every workspace gets the "Sales" pipeline.
enum M0023_Sales {
    static let migration = Migration(
        version: 23, name: "sales",
        statements: [
            """
            CREATE TABLE pipelines (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                name TEXT NOT NULL, currency TEXT, position BIGINT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            """
            CREATE TABLE stages (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                pipeline_id TEXT NOT NULL, name TEXT NOT NULL, probability BIGINT NOT NULL, kind TEXT NOT NULL,
                position BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX stages_pipeline ON stages (workspace_id, pipeline_id, position)",
            """
            CREATE TABLE deals (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                name TEXT, amount BIGINT, currency TEXT, pipeline_id TEXT, stage_id TEXT, owner_id TEXT, team_id TEXT,
                company_id TEXT, contact_ids TEXT, contact_roles TEXT, expected_close_date TEXT, source TEXT, tags TEXT,
                status TEXT, lost_reason TEXT, closed_at BIGINT, line_items TEXT,
                custom TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX deals_created ON deals (workspace_id, created_at, id, owner_id, team_id)",
            "CREATE INDEX deals_updated ON deals (workspace_id, updated_at, id, owner_id, team_id)",
            "CREATE INDEX deals_owner ON deals (workspace_id, owner_id, created_at, id, team_id)",
            "CREATE INDEX deals_company ON deals (workspace_id, company_id, created_at, id, owner_id, team_id)",
            // the board: a column's cards, newest first
            "CREATE INDEX deals_stage ON deals (workspace_id, stage_id, created_at, id, owner_id, team_id)",
            // the board's sums and the forecast's, read from the index alone
            """
            CREATE INDEX deals_pipeline_sums ON deals (workspace_id, pipeline_id, status, currency, stage_id, amount,
                expected_close_date, closed_at, owner_id, team_id)
            """,
            "CREATE INDEX deals_closed ON deals (workspace_id, pipeline_id, closed_at)",
            """
            CREATE TABLE deal_stage_history (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                deal_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, from_stage_id TEXT, stage_id TEXT NOT NULL,
                entered_at BIGINT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX deal_stage_history_pipeline ON deal_stage_history (workspace_id, pipeline_id, deal_id, entered_at, id, stage_id)",
            "CREATE INDEX deal_stage_history_deal ON deal_stage_history (workspace_id, deal_id, entered_at)",
            """
            CREATE TABLE record_links (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                target_id TEXT NOT NULL, object TEXT NOT NULL, field TEXT NOT NULL, record_id TEXT NOT NULL,
                PRIMARY KEY (workspace_id, target_id, object, field, record_id))
            """,
            "CREATE INDEX record_links_record ON record_links (workspace_id, object, record_id)",
            "ALTER TABLE events ADD COLUMN deal_id TEXT",
            "ALTER TABLE companies ADD COLUMN lifecycle_stage TEXT",
            "CREATE INDEX events_deal ON events (workspace_id, deal_id, occurred_at, id)",
        ],
        fill: { store, database in
            for row in try await database.raw("SELECT id FROM workspaces").all() {
                let workspaceID = try row.decode(column: "id", as: String.self)
                try await PipelineRepository(store: store).createDefault(workspaceID: workspaceID, on: database)
            }
        })
}

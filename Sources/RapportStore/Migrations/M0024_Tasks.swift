/// Tasks: things to do, with a due time, a reminder time, an assignee and what they are about. Times are
/// microseconds; `done` is 1 or 0. `deal_id` is there for deals, which refer tasks to them once they exist.
/// (Version 23 is the sales work's: deals and pipelines.)
///
/// "My open tasks by due time" (the My tasks page, the home panel) reads `tasks_assignee_open` in its
/// order: the assignee, not done, by due time as lists sort it (`COALESCE(due_at, -1)`, never null).
/// Lists by creation, due time and change carry the assignee and team after their key, as the other
/// objects' do (M0022), so that visibility is tested in the index.
enum M0024_Tasks {
    static let migration = Migration(
        version: 24, name: "tasks",
        statements: [
            """
            CREATE TABLE tasks (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                title TEXT, notes TEXT, due_at BIGINT, remind_at BIGINT, assignee_id TEXT, team_id TEXT,
                contact_id TEXT, company_id TEXT, deal_id TEXT, priority TEXT, done BIGINT, completed_at BIGINT,
                custom TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            """
            CREATE INDEX tasks_assignee_open ON tasks
                (workspace_id, assignee_id, done, (COALESCE(due_at, -1)), id, team_id)
            """,
            "CREATE INDEX tasks_created ON tasks (workspace_id, created_at, id, assignee_id, team_id)",
            "CREATE INDEX tasks_due ON tasks (workspace_id, (COALESCE(due_at, -1)), id, assignee_id, team_id)",
            "CREATE INDEX tasks_updated ON tasks (workspace_id, updated_at, id, assignee_id, team_id)",
            "CREATE INDEX tasks_team ON tasks (workspace_id, team_id)",
            "CREATE INDEX tasks_contact ON tasks (workspace_id, contact_id, done)",
            "CREATE INDEX tasks_company ON tasks (workspace_id, company_id, done)",
            "CREATE INDEX tasks_deal ON tasks (workspace_id, deal_id, done)",
        ])
}

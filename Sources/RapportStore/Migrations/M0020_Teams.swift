/// Teams, the workspace's own roles, and record visibility.
///
/// Records get a `team_id`; their search documents carry their owner and team too, so that search
/// applies the same visibility condition as lists (`RecordScope+SQL`). `team_members.joined_at` orders a
/// user's teams: the first is their primary team, which a new record of theirs belongs to. A user with a
/// custom role keeps `role = 'member'` (for what only owners and admins manage) and names it in
/// `role_id`. `digest` is the user's choice of a daily email of their notifications.
enum M0020_Teams {
    static let migration = Migration(
        version: 20, name: "teams and roles",
        statements: [
            """
            CREATE TABLE teams (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, lead_id TEXT,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX teams_name ON teams (workspace_id, name_key)",
            """
            CREATE TABLE team_members (
                workspace_id TEXT NOT NULL, team_id TEXT NOT NULL, user_id TEXT NOT NULL, joined_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, team_id, user_id))
            """,
            "CREATE INDEX team_members_user ON team_members (workspace_id, user_id, team_id)",
            """
            CREATE TABLE roles (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, permissions TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX roles_name ON roles (workspace_id, name_key)",
            "ALTER TABLE users ADD COLUMN role_id TEXT",
            "ALTER TABLE users ADD COLUMN digest TEXT NOT NULL DEFAULT 'none'",
            "CREATE INDEX users_role ON users (workspace_id, role_id)",
            "ALTER TABLE contacts ADD COLUMN team_id TEXT",
            "ALTER TABLE companies ADD COLUMN team_id TEXT",
            "CREATE INDEX contacts_team ON contacts (workspace_id, team_id)",
            "CREATE INDEX companies_team ON companies (workspace_id, team_id)",
            "CREATE INDEX companies_owner ON companies (workspace_id, owner_id)",
            "ALTER TABLE search_docs ADD COLUMN owner_id TEXT",
            "ALTER TABLE search_docs ADD COLUMN team_id TEXT",
            """
            UPDATE search_docs SET owner_id = (
                SELECT c.owner_id FROM contacts c WHERE c.workspace_id = search_docs.workspace_id AND c.id = search_docs.record_id)
            WHERE record_type = 'contact'
            """,
            """
            UPDATE search_docs SET owner_id = (
                SELECT c.owner_id FROM companies c WHERE c.workspace_id = search_docs.workspace_id AND c.id = search_docs.record_id)
            WHERE record_type = 'company'
            """,
        ])
}

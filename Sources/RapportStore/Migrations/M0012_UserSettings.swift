/// A user's own settings, by key: the columns chosen for each list (`columns.contacts`), and later what
/// else a user sets for themselves.
enum M0012_UserSettings {
    static let migration = Migration(
        version: 12, name: "user_settings",
        statements: [
            """
            CREATE TABLE user_settings (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                user_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, user_id, key))
            """
        ])
}

/// Records a user follows: what changes on them shows on the user's home page, as for records they own.
enum M0018_Follows {
    static let migration = Migration(
        version: 18, name: "follows",
        statements: [
            """
            CREATE TABLE follows (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                user_id TEXT NOT NULL, object TEXT NOT NULL, record_id TEXT NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, user_id, object, record_id))
            """,
            "CREATE INDEX follows_by_record ON follows (workspace_id, object, record_id)",
        ])
}

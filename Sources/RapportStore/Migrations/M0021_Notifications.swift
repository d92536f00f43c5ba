/// Notifications: one row per recipient and event (a mention, a change to a followed record). The bell
/// counts a user's unread ones on every page, so they have a partial index of their own; the list reads
/// a user's newest first through the other. `recipient_id` and `actor_id` name users of the same
/// workspace (users are deactivated, never deleted); `data` is a JSON object of what `text` was made from.
enum M0021_Notifications {
    static let migration = Migration(
        version: 21, name: "notifications",
        statements: [
            """
            CREATE TABLE notifications (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                recipient_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                record_type TEXT,
                record_id TEXT,
                actor_id TEXT,
                text TEXT NOT NULL,
                data TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                read_at BIGINT,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX notifications_recipient ON notifications (workspace_id, recipient_id, created_at, id)",
            """
            CREATE INDEX notifications_unread ON notifications (workspace_id, recipient_id, created_at, id)
            WHERE read_at IS NULL
            """,
        ])
}

/// Tracking and the preference centre (issue 18):
/// - `email_tracking_hits`: every open (pixel fetched), click (redirect followed) and unsubscribe of a message,
///   counted or not: `counted` is 1 for a hit the figures count; `flag` says why one is not (`repeat`, an open
///   within a minute of a counted one; `prefetch` and `scanner`, a link scanner's click; `repeat_unsubscribe`)
///   or, as `implied_by_click`, that an open was counted because of a click. The message's first counted open,
///   click and unsubscribe also set the outbox's `opened_at`, `clicked_at`, `unsubscribed_at` (M0029).
/// - `email_topics`: the kinds of marketing mail a workspace sends; `name_key` (the name folded for comparison)
///   is unique in the workspace. `email_templates.topic_id`: the topic a marketing template's mail is of.
/// - `contact_topic_preferences`: whether a contact keeps (`kept`) or drops (`dropped`) a topic (none: kept),
///   and `topic_preference_changes`, every change with its source, append-only.
/// (Versions 30 and 31 are the campaigns' and the frequency policy's.)
enum M0032_EmailTracking {
    static let migration = Migration(
        version: 32, name: "email_tracking",
        statements: [
            """
            CREATE TABLE email_tracking_hits (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, outbox_id TEXT NOT NULL, contact_id TEXT, campaign_id TEXT, variant TEXT,
                kind TEXT NOT NULL, url TEXT, user_agent TEXT, occurred_at BIGINT NOT NULL,
                counted INTEGER NOT NULL, flag TEXT,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX email_tracking_hits_message ON email_tracking_hits (workspace_id, outbox_id, kind, occurred_at)",
            """
            CREATE TABLE email_topics (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, description TEXT,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX email_topics_name ON email_topics (workspace_id, name_key)",
            "ALTER TABLE email_templates ADD COLUMN topic_id TEXT",
            """
            CREATE TABLE contact_topic_preferences (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                contact_id TEXT NOT NULL, topic_id TEXT NOT NULL, choice TEXT NOT NULL, source TEXT NOT NULL,
                changed_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, contact_id, topic_id))
            """,
            """
            CREATE TABLE topic_preference_changes (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, contact_id TEXT NOT NULL, topic_id TEXT NOT NULL, choice TEXT NOT NULL,
                source TEXT NOT NULL, at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX topic_preference_changes_contact ON topic_preference_changes (workspace_id, contact_id, at, id)",
        ])
}

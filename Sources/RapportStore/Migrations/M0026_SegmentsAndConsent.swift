/// Segments and consent.
///
/// `segments`: saved queries of the segment language, by name (unique per workspace as `name_key`
/// normalises it). `contact_consents`: a contact's current state per channel (`email` now; the column
/// takes others), and `consent_changes`: every change, append-only, with how it was given. The email
/// channel's state is mirrored in the contact's `email_consent` field (`subscribed` for granted,
/// `unsubscribed` for withdrawn), which existing consent is copied from. Contacts gain `email_status`
/// (`ok`, or `undeliverable` after hard bounces). Events get an index by contact, type and time, which
/// segments' `events(type, 30d)` counts read as one range each.
enum M0026_SegmentsAndConsent {
    static let migration = Migration(
        version: 26, name: "segments and consent",
        statements: [
            """
            CREATE TABLE segments (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, query TEXT NOT NULL, created_by TEXT,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX segments_name ON segments (workspace_id, name_key)",
            """
            CREATE TABLE contact_consents (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                contact_id TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL, source TEXT,
                changed_at BIGINT,
                PRIMARY KEY (workspace_id, contact_id, channel))
            """,
            """
            CREATE TABLE consent_changes (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, contact_id TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,
                source TEXT NOT NULL, note TEXT, user_id TEXT, at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX consent_changes_contact ON consent_changes (workspace_id, contact_id, at, id)",
            """
            INSERT INTO contact_consents (workspace_id, contact_id, channel, state, source, changed_at)
            SELECT workspace_id, id, 'email',
                CASE email_consent WHEN 'subscribed' THEN 'granted' ELSE 'withdrawn' END,
                email_consent_source, email_consent_changed_at
            FROM contacts WHERE email_consent IN ('subscribed', 'unsubscribed')
            """,
            "ALTER TABLE contacts ADD COLUMN email_status TEXT NOT NULL DEFAULT 'ok'",
            "CREATE INDEX events_contact_type ON events (workspace_id, contact_id, type, occurred_at)",
        ])
}

/// Contacts and companies, their email index, custom fields, the timeline and the audit log.
///
/// Arrays and maps are JSON text; times are microseconds. `contact_emails` holds every address of every
/// contact (primary and additional), so one unique key keeps an address on one contact per workspace.
/// The timeline is append-only and read newest first per contact or company: its indexes lead with
/// `(workspace_id, contact_id | company_id, occurred_at, id)` so a page is one index range at any size.
enum M0002_Records {
    static let migration = Migration(
        version: 2, name: "contacts and companies",
        statements: [
            """
            CREATE TABLE companies (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                name TEXT, domain TEXT, industry TEXT, size BIGINT, country TEXT, city TEXT, owner_id TEXT,
                tags TEXT NOT NULL, custom TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX companies_domain ON companies (workspace_id, domain) WHERE domain IS NOT NULL",
            "CREATE INDEX companies_created ON companies (workspace_id, created_at, id)",
            "CREATE INDEX companies_name ON companies (workspace_id, name)",
            """
            CREATE TABLE contacts (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                first_name TEXT, last_name TEXT, email TEXT, additional_emails TEXT NOT NULL, phones TEXT NOT NULL,
                job_title TEXT, company_id TEXT, lifecycle_stage TEXT, lead_status TEXT, owner_id TEXT, source TEXT,
                tags TEXT NOT NULL, email_consent TEXT NOT NULL, email_consent_changed_at BIGINT,
                email_consent_source TEXT, birthday TEXT, country TEXT, region TEXT, city TEXT, time_zone TEXT,
                language TEXT, social_profiles TEXT NOT NULL, custom TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX contacts_created ON contacts (workspace_id, created_at, id)",
            "CREATE INDEX contacts_company ON contacts (workspace_id, company_id)",
            "CREATE INDEX contacts_lifecycle ON contacts (workspace_id, lifecycle_stage)",
            "CREATE INDEX contacts_owner ON contacts (workspace_id, owner_id)",
            """
            CREATE TABLE contact_emails (
                workspace_id TEXT NOT NULL, email TEXT NOT NULL, contact_id TEXT NOT NULL,
                PRIMARY KEY (workspace_id, email))
            """,
            "CREATE INDEX contact_emails_contact ON contact_emails (workspace_id, contact_id)",
            """
            CREATE TABLE custom_fields (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, object TEXT NOT NULL, field_key TEXT NOT NULL, label TEXT NOT NULL,
                field_type TEXT NOT NULL, options TEXT NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX custom_fields_key ON custom_fields (workspace_id, object, field_key)",
            """
            CREATE TABLE events (
                workspace_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, occurred_at BIGINT NOT NULL,
                actor_type TEXT NOT NULL, actor_id TEXT, contact_id TEXT, company_id TEXT, data TEXT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX events_contact ON events (workspace_id, contact_id, occurred_at, id)",
            "CREATE INDEX events_company ON events (workspace_id, company_id, occurred_at, id)",
            """
            CREATE TABLE audit_log (
                workspace_id TEXT NOT NULL, id TEXT NOT NULL, record_type TEXT NOT NULL, record_id TEXT NOT NULL,
                action TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT, changes TEXT NOT NULL,
                at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX audit_record ON audit_log (workspace_id, record_id, at, id)",
            """
            CREATE TABLE saved_views (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL, user_id TEXT NOT NULL, object TEXT NOT NULL, name TEXT NOT NULL,
                query TEXT NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX saved_views_user ON saved_views (workspace_id, user_id, object, name)",
        ])
}

/// Invitations to join a workspace by a one-time link: only the SHA-256 of the link's token is kept.
/// `invited_by` and `accepted_by` name users of the same workspace (users are deactivated, never
/// deleted, so they carry no foreign key); an invitation is open while `accepted_at` and `revoked_at`
/// are null and `expires_at` is ahead.
enum M0016_Invites {
    static let migration = Migration(
        version: 16, name: "invites",
        statements: [
            """
            CREATE TABLE invites (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                email TEXT NOT NULL,
                name TEXT,
                role TEXT NOT NULL,
                token_hash TEXT NOT NULL,
                invited_by TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                accepted_at BIGINT,
                accepted_by TEXT,
                revoked_at BIGINT,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX invites_token_hash ON invites (token_hash)",
            "CREATE INDEX invites_email ON invites (workspace_id, email)",
            "CREATE INDEX invites_created ON invites (workspace_id, created_at, id)",
        ])
}

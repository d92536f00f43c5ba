/// Workspaces, users, API tokens, sessions, login throttling, idempotency keys and installation settings.
///
/// `settings`, `sessions` and `login_failures` are installation-wide: they are read before anyone is
/// signed in, so they have no workspace. Every other table leads with `workspace_id`.
enum M0001_Platform {
    static let migration = Migration(
        version: 1, name: "platform",
        statements: [
            "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE workspaces (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX workspaces_name ON workspaces (name)",
            """
            CREATE TABLE users (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                email TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                name TEXT NOT NULL,
                language TEXT NOT NULL,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE UNIQUE INDEX users_email ON users (email)",
            """
            CREATE TABLE api_tokens (
                workspace_id TEXT NOT NULL,
                id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                revoked_at BIGINT,
                PRIMARY KEY (workspace_id, id),
                FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE)
            """,
            "CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash)",
            "CREATE INDEX api_tokens_user ON api_tokens (workspace_id, user_id, created_at)",
            "CREATE TABLE sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at BIGINT)",
            "CREATE INDEX sessions_expires ON sessions (expires_at)",
            "CREATE TABLE login_failures (id TEXT PRIMARY KEY, email TEXT NOT NULL, address TEXT NOT NULL, failed_at BIGINT NOT NULL)",
            "CREATE INDEX login_failures_email ON login_failures (email, failed_at)",
            "CREATE INDEX login_failures_address ON login_failures (address, failed_at)",
            """
            CREATE TABLE idempotency_keys (
                workspace_id TEXT NOT NULL,
                token_id TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER NOT NULL,
                headers TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, token_id, idempotency_key))
            """,
        ])
}

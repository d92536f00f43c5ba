/// The durable job queue: work that runs after the request that asked for it (housekeeping now;
/// reminders, mail, workflows later), claimed by any process under a lease (`JobQueue`).
///
/// A job belongs to a workspace, or to none when it is installation-wide (housekeeping). `dedup_key` is
/// unique among unfinished jobs of one workspace (installation-wide ones count as one workspace), so a
/// recurring job is scheduled once however many processes schedule it; finished jobs leave the index.
/// The claim indexes hold only unfinished jobs, so finished ones kept for inspection cost them nothing.
enum M0010_Jobs {
    static let migration = Migration(
        version: 10, name: "jobs",
        statements: [
            """
            CREATE TABLE jobs (
                workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                due_at BIGINT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL,
                state TEXT NOT NULL,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                last_error TEXT,
                dedup_key TEXT,
                created_at BIGINT NOT NULL,
                finished_at BIGINT)
            """,
            "CREATE INDEX jobs_due ON jobs (due_at) WHERE state = 'queued'",
            "CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running'",
            """
            CREATE UNIQUE INDEX jobs_dedup ON jobs (COALESCE(workspace_id, ''), dedup_key)
            WHERE dedup_key IS NOT NULL AND state IN ('queued', 'running')
            """,
            "CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL",
            "CREATE INDEX jobs_workspace ON jobs (workspace_id, kind, created_at)",
        ])
}

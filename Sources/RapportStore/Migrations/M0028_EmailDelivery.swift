/// Email delivery (issue 18): a workspace's sender settings, its templates, the durable outbox every message
/// goes through, and the addresses not to send to again (a hard bounce, an unsubscribe).
/// - `outbox`: one row per message to one contact; `idempotency_key` is unique per workspace, so enqueuing the
///   same message twice gives the one row. `state` is `queued`, `sending` (claimed by a delivery worker,
///   `claimed_by`/`claimed_at`), `sent`, `deferred` (to try again at `next_attempt_at`), `bounced`, `failed` or
///   `skipped`. The rendered subject and bodies are stored, so a retry sends what was enqueued;
///   `message_id` is chosen at enqueue, so every attempt carries the same Message-ID.
/// - `email_suppressions`: per workspace and address, why mail to it stops (`hard_bounce`, `unsubscribed`).
/// (Version 26 is the segments work's, 27 the funnel's.)
enum M0028_EmailDelivery {
    static let migration = Migration(
        version: 28, name: "email_delivery",
        statements: [
            """
            CREATE TABLE email_settings (
                workspace_id TEXT NOT NULL PRIMARY KEY,
                smtp_host TEXT NOT NULL,
                smtp_port INTEGER NOT NULL,
                tls TEXT NOT NULL,
                username TEXT,
                password_sealed TEXT,
                from_address TEXT NOT NULL,
                from_name TEXT,
                reply_to TEXT,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE email_templates (
                workspace_id TEXT NOT NULL,
                id TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                html TEXT,
                text TEXT,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, id)
            )
            """,
            "CREATE INDEX email_templates_list ON email_templates (workspace_id, created_at, id)",
            """
            CREATE TABLE outbox (
                workspace_id TEXT NOT NULL,
                id TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                purpose TEXT,
                template_id TEXT,
                contact_id TEXT,
                to_address TEXT NOT NULL,
                to_name TEXT,
                subject TEXT NOT NULL,
                html TEXT,
                text TEXT NOT NULL,
                unsubscribe_url TEXT,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                claimed_by TEXT,
                claimed_at BIGINT,
                last_error TEXT,
                smtp_reply TEXT,
                message_id TEXT NOT NULL,
                campaign_id TEXT,
                variant TEXT,
                created_at BIGINT NOT NULL,
                sent_at BIGINT,
                PRIMARY KEY (workspace_id, id)
            )
            """,
            "CREATE UNIQUE INDEX outbox_idempotency ON outbox (workspace_id, idempotency_key)",
            // what a delivery worker claims: due rows of a workspace, and rows left in `sending`
            "CREATE INDEX outbox_due ON outbox (workspace_id, state, next_attempt_at)",
            "CREATE INDEX outbox_pending ON outbox (state, next_attempt_at)",
            "CREATE INDEX outbox_contact ON outbox (workspace_id, contact_id, created_at, id)",
            "CREATE INDEX outbox_list ON outbox (workspace_id, created_at, id)",
            """
            CREATE TABLE email_suppressions (
                workspace_id TEXT NOT NULL,
                address TEXT NOT NULL,
                reason TEXT NOT NULL,
                detail TEXT,
                at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, address)
            )
            """,
        ])
}

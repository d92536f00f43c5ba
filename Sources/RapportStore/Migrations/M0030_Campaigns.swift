/// Campaigns (issue 18): one template sent to a segment, now or at a set time, optionally as an A/B test.
/// - `campaigns`: the campaign and where its send is: `status` (`draft`, `scheduled`, `sending`, `testing`,
///   `sent`, `cancelled`, `failed`), `send_at`, the test's settings (`test_share` percent, `winner_metric`
///   `open`|`click`, `winner_wait_minutes`, `default_variant`), the user's `chosen_variant`, the decided
///   `winner_variant` and `winner_reason`, `winner_due_at`; `seed` fixes the random split; `phase` and `cursor`
///   are where an interrupted send resumes; `audience` the members found when it began; `problem` why it failed.
/// - `campaign_variants`: an A/B test's variants `A`–`D`, each with a subject and/or a template of its own.
/// The messages themselves are outbox rows (`outbox.campaign_id`, `variant`), keyed
/// `campaign:{campaign}:{contact}`, which the figures count (`outbox_campaign`, from version 29).
enum M0030_Campaigns {
    static let migration = Migration(
        version: 30, name: "campaigns",
        statements: [
            """
            CREATE TABLE campaigns (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                name TEXT NOT NULL,
                segment_id TEXT NOT NULL,
                template_id TEXT NOT NULL,
                status TEXT NOT NULL,
                send_at BIGINT,
                test_share INTEGER NOT NULL,
                winner_metric TEXT NOT NULL,
                winner_wait_minutes INTEGER NOT NULL,
                default_variant TEXT NOT NULL,
                chosen_variant TEXT,
                winner_variant TEXT,
                winner_reason TEXT,
                winner_due_at BIGINT,
                seed BIGINT NOT NULL,
                phase TEXT,
                cursor TEXT,
                audience INTEGER,
                problem TEXT,
                created_by TEXT,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                started_at BIGINT,
                finished_at BIGINT,
                PRIMARY KEY (workspace_id, id))
            """,
            "CREATE INDEX campaigns_list ON campaigns (workspace_id, created_at, id)",
            """
            CREATE TABLE campaign_variants (
                workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                campaign_id TEXT NOT NULL,
                variant TEXT NOT NULL,
                subject TEXT,
                template_id TEXT,
                PRIMARY KEY (workspace_id, campaign_id, variant))
            """,
        ])
}

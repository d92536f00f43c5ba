/// What campaigns, frequency caps and tracking (issue 18) share, laid down before any of them:
/// - `outbox.deferred_reason`: why a row waits that is not a delivery failure (a frequency cap, the minimum
///   gap, quiet hours), shown on the campaign and the contact while the row is `deferred`.
/// - `outbox.opened_at`, `clicked_at`, `unsubscribed_at`: the first counted open, click and unsubscribe of the
///   message, which the campaign's figures count.
/// - `outbox_campaign`: a campaign's rows by variant and state, for its figures.
/// - `workspaces.time_zone`: the IANA zone a campaign's schedule, quiet hours and relative dates are read in.
/// (Versions 30 and on are the campaigns', the frequency policy's and tracking's own tables.)
enum M0029_MarketingGroundwork {
    static let migration = Migration(
        version: 29, name: "marketing_groundwork",
        statements: [
            "ALTER TABLE outbox ADD COLUMN deferred_reason TEXT",
            "ALTER TABLE outbox ADD COLUMN opened_at BIGINT",
            "ALTER TABLE outbox ADD COLUMN clicked_at BIGINT",
            "ALTER TABLE outbox ADD COLUMN unsubscribed_at BIGINT",
            "CREATE INDEX outbox_campaign ON outbox (workspace_id, campaign_id, variant, state)",
            "ALTER TABLE workspaces ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'",
        ])
}

/// Not over-marketing (issue 18): a workspace's frequency policy, and what the delivery worker needs to hold it
/// message by message.
/// - `frequency_policies`: per workspace, at most `max_messages` marketing messages per contact in `window_days`
///   (both or neither), `min_gap_hours` between two, and quiet hours from `quiet_start` to `quiet_end` (minutes
///   after midnight, in the contact's time zone; the span may cross midnight). A workspace without a row, or a
///   rule left null, has no such rule.
/// - `outbox.policy_claim`: the claim (`claimed_by`) under which a marketing row passed the policy. While the row
///   is `sending` under that same claim it counts as sent for the contact's cap and gap, so two workers cannot
///   both pass the last free slot.
/// - `outbox_contact_sent`: a contact's sent messages of a kind by time, which the cap and gap count.
/// (Version 30 is the campaigns', 32 tracking's.)
enum M0031_FrequencyPolicy {
    static let migration = Migration(
        version: 31, name: "frequency_policy",
        statements: [
            """
            CREATE TABLE frequency_policies (
                workspace_id TEXT NOT NULL PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
                max_messages INTEGER,
                window_days INTEGER,
                min_gap_hours INTEGER,
                quiet_start INTEGER,
                quiet_end INTEGER,
                updated_at BIGINT NOT NULL
            )
            """,
            "ALTER TABLE outbox ADD COLUMN policy_claim TEXT",
            "CREATE INDEX outbox_contact_sent ON outbox (workspace_id, contact_id, kind, state, sent_at)",
        ])
}

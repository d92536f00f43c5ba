/// The funnel as a range read: each stage transition keeps what the funnel needs of the deal's later
/// history, kept current as transitions are written (`StageHistoryRepository.refresh`):
/// - `stay_micros`: how long the deal stayed (its next transition's time minus this one's; null while
///   it is still there),
/// - `previous_entry_at`: when the deal last entered the same stage before (null the first time), so that
///   a window counts a deal once by counting the entries whose previous one is outside it,
/// - `advanced`: 1 when an open stage's entry was followed, in the same pipeline, by an open stage further
///   on or the won stage.
/// (Version 26 is the segments work's.)
enum M0027_FunnelStays {
    static let migration = Migration(
        version: 27, name: "funnel_stays",
        statements: [
            "ALTER TABLE deal_stage_history ADD COLUMN stay_micros BIGINT",
            "ALTER TABLE deal_stage_history ADD COLUMN previous_entry_at BIGINT",
            "ALTER TABLE deal_stage_history ADD COLUMN advanced INTEGER NOT NULL DEFAULT 0",
            StageHistorySQL.refresh(where: "1 = 1"),
            // a funnel's counts: a stage's entries in the window, read from the index alone
            """
            CREATE INDEX deal_stage_history_funnel ON deal_stage_history
                (workspace_id, pipeline_id, stage_id, entered_at, previous_entry_at, advanced, stay_micros, deal_id)
            """,
            // a funnel's medians: a stage's ended stays in order of length
            """
            CREATE INDEX deal_stage_history_stays ON deal_stage_history
                (workspace_id, pipeline_id, stage_id, stay_micros, entered_at, deal_id)
            """,
            // a funnel's closed deals and their cycle, read from the index alone (with what visibility tests)
            "DROP INDEX deals_closed",
            "CREATE INDEX deals_closed ON deals (workspace_id, pipeline_id, status, closed_at, created_at, owner_id, team_id)",
        ])
}

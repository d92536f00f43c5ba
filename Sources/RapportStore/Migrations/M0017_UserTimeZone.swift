/// Where and how a user reads times: their time zone and calendar (none chosen: UTC, and the
/// calendar of their language).
enum M0017_UserTimeZone {
    static let migration = Migration(
        version: 17, name: "user time zone",
        statements: [
            "ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'",
            "ALTER TABLE users ADD COLUMN calendar TEXT",
        ])
}

/// Users who left: a deactivated user cannot sign in and their tokens stop working; their records keep
/// them as owner.
enum M0014_UserStatus {
    static let migration = Migration(
        version: 14, name: "user status", statements: ["ALTER TABLE users ADD COLUMN deactivated_at BIGINT"])
}

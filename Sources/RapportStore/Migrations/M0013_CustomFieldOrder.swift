/// Custom fields in the order an admin sets (forms and lists show them in it); until moved, in the order
/// they were made.
enum M0013_CustomFieldOrder {
    static let migration = Migration(
        version: 13, name: "custom field order",
        statements: ["ALTER TABLE custom_fields ADD COLUMN position BIGINT NOT NULL DEFAULT 0"])
}

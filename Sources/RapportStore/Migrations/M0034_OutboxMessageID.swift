/// Mail that comes back (a delivery status notification, `POST /api/v1/email/inbound`) names the message it is
/// about by its Message-ID when the returned headers lack `X-Rapport-Message`: the outbox is looked up by it.
enum M0034_OutboxMessageID {
    static let migration = Migration(
        version: 34, name: "outbox_message_id",
        statements: ["CREATE INDEX outbox_message_id ON outbox (workspace_id, message_id)"])
}

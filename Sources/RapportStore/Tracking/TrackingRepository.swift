import Foundation
package import RapportCore
package import SQLKit

/// Tracking hits of outbox messages (`email_tracking_hits`): every open, click and unsubscribe, counted or not.
package struct TrackingRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = """
        workspace_id, id, outbox_id, contact_id, campaign_id, variant, kind, url, user_agent, occurred_at, counted, flag
        """

    /// A message of the workspace, locked until the caller's transaction ends (PostgreSQL), so that the hits of
    /// one message are decided one after the other; nil for none.
    package func lockMessage(workspaceID: String, id: String, on database: any SQLDatabase) async throws
        -> OutboxMessage?
    {
        guard RecordID.isWellFormed(id) else { return nil }
        return try await database.raw(
            """
            SELECT \(unsafeRaw: OutboxRepository.columns) FROM outbox
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased()) \(unsafeRaw: store.kind.rowLock)
            """
        ).first().map(OutboxRepository.message(from:))
    }

    /// When a counted open of the message was within `window` of `at` (either side); nil for none.
    package func countedOpen(
        workspaceID: String, outboxID: String, near at: Int64, within window: Int64, on database: any SQLDatabase
    ) async throws -> Int64? {
        let row = try await database.raw(
            """
            SELECT MAX(occurred_at) AS at FROM email_tracking_hits
            WHERE workspace_id = \(bind: workspaceID) AND outbox_id = \(bind: outboxID) AND kind = 'open'
                AND counted = 1 AND occurred_at > \(bind: at - window) AND occurred_at < \(bind: at + window)
            """
        ).first()
        return try row?.decode(column: "at", as: Int64?.self)
    }

    /// Writes a hit, inside the caller's transaction.
    package func insert(_ hit: TrackingHit, on database: any SQLDatabase) async throws {
        try await database.raw(
            """
            INSERT INTO email_tracking_hits (\(unsafeRaw: Self.columns))
            VALUES (\(bind: hit.workspaceID), \(bind: hit.id), \(bind: hit.outboxID), \(bind: hit.contactID),
                    \(bind: hit.campaignID), \(bind: hit.variant), \(bind: hit.kind.rawValue), \(bind: hit.url),
                    \(bind: hit.userAgent), \(bind: hit.occurredAt), \(bind: hit.counted ? 1 : 0),
                    \(bind: hit.flag?.rawValue))
            """
        ).run()
    }

    /// A message's hits, oldest first.
    package func hits(workspaceID: String, outboxID: String) async throws -> [TrackingHit] {
        try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM email_tracking_hits
            WHERE workspace_id = \(bind: workspaceID) AND outbox_id = \(bind: outboxID)
            ORDER BY occurred_at, id
            """
        ).all().map(Self.hit(from:))
    }

    static func hit(from row: any SQLRow) throws -> TrackingHit {
        TrackingHit(
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            id: try row.decode(column: "id", as: String.self),
            outboxID: try row.decode(column: "outbox_id", as: String.self),
            contactID: try row.decode(column: "contact_id", as: String?.self),
            campaignID: try row.decode(column: "campaign_id", as: String?.self),
            variant: try row.decode(column: "variant", as: String?.self),
            kind: TrackingKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .open,
            url: try row.decode(column: "url", as: String?.self),
            userAgent: try row.decode(column: "user_agent", as: String?.self),
            occurredAt: try row.decode(column: "occurred_at", as: Int64.self),
            counted: try row.decode(column: "counted", as: Int.self) != 0,
            flag: try row.decode(column: "flag", as: String?.self).flatMap(TrackingFlag.init(rawValue:)))
    }
}

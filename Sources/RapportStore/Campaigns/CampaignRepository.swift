import Foundation
package import RapportCore
package import SQLKit

/// A workspace's campaigns and their variants, the steps of their sends, and their figures, counted from the
/// outbox rows they enqueued.
package struct CampaignRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    static let columns = """
        workspace_id, id, name, segment_id, template_id, status, send_at, test_share, winner_metric, \
        winner_wait_minutes, default_variant, chosen_variant, winner_variant, winner_reason, winner_due_at, seed, \
        phase, cursor, audience, problem, created_by, version, created_at, updated_at, started_at, finished_at
        """

    // MARK: Campaigns

    /// Saves a new campaign and its variants.
    package func create(_ campaign: Campaign) async throws {
        try await store.transaction { database in
            let c = campaign
            try await database.raw(
                """
                INSERT INTO campaigns (\(unsafeRaw: Self.columns))
                VALUES (\(bind: c.workspaceID), \(bind: c.id), \(bind: c.name), \(bind: c.segmentID),
                        \(bind: c.templateID), \(bind: c.status.rawValue), \(bind: c.sendAt), \(bind: c.testShare),
                        \(bind: c.winnerMetric.rawValue), \(bind: c.winnerWaitMinutes), \(bind: c.defaultVariant),
                        \(bind: c.chosenVariant), \(bind: c.winnerVariant), \(bind: c.winnerReason?.rawValue),
                        \(bind: c.winnerDueAt), \(bind: Int64(bitPattern: c.seed)), NULL, NULL, \(bind: c.audience),
                        \(bind: c.problem), \(bind: c.createdBy), \(bind: c.version), \(bind: c.createdAt),
                        \(bind: c.updatedAt), \(bind: c.startedAt), \(bind: c.finishedAt))
                """
            ).run()
            try await Self.writeVariants(c, on: database)
        }
    }

    static func writeVariants(_ campaign: Campaign, on database: any SQLDatabase) async throws {
        try await database.raw(
            """
            DELETE FROM campaign_variants WHERE workspace_id = \(bind: campaign.workspaceID)
                AND campaign_id = \(bind: campaign.id)
            """
        ).run()
        for variant in campaign.variants {
            try await database.raw(
                """
                INSERT INTO campaign_variants (workspace_id, campaign_id, variant, subject, template_id)
                VALUES (\(bind: campaign.workspaceID), \(bind: campaign.id), \(bind: variant.key),
                        \(bind: variant.subject), \(bind: variant.templateID))
                """
            ).run()
        }
    }

    /// A campaign of the workspace with its variants; nil for none (or another workspace's).
    package func find(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws
        -> Campaign?
    {
        guard RecordID.isWellFormed(id) else { return nil }
        let database = database ?? store.database
        guard
            var campaign = try await database.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM campaigns
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased())
                """
            ).first().map(Self.campaign(from:))
        else { return nil }
        campaign.variants =
            try await variants(workspaceID: workspaceID, campaignIDs: [campaign.id], on: database)[
                campaign.id] ?? []
        return campaign
    }

    /// Where an interrupted send resumes: its phase and the members' cursor.
    package func progress(workspaceID: String, id: String) async throws -> (phase: String?, cursor: String?) {
        let row = try await store.database.raw(
            "SELECT phase, cursor FROM campaigns WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
        ).first()
        return (
            try row?.decode(column: "phase", as: String?.self) ?? nil,
            try row?.decode(column: "cursor", as: String?.self) ?? nil
        )
    }

    /// The workspace's campaigns, newest first, a page at a time.
    package func list(workspaceID: String, limit: Int, after: PageKey?) async throws -> Page<Campaign> {
        var filter: SQLQueryString = "workspace_id = \(bind: workspaceID)"
        if let after {
            filter =
                filter
                + " AND (created_at < \(bind: after.createdAt) OR (created_at = \(bind: after.createdAt) AND id < \(bind: after.id)))"
        }
        var campaigns = try await store.database.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM campaigns WHERE \(filter)
            ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)
            """
        ).all().map(Self.campaign(from:))
        let variants = try await variants(
            workspaceID: workspaceID, campaignIDs: campaigns.map(\.id), on: store.database)
        for index in campaigns.indices { campaigns[index].variants = variants[campaigns[index].id] ?? [] }
        return Page(fetched: campaigns, limit: limit) { PageKey(createdAt: $0.createdAt, id: $0.id) }
    }

    func variants(workspaceID: String, campaignIDs: [String], on database: any SQLDatabase) async throws
        -> [String: [CampaignVariant]]
    {
        guard !campaignIDs.isEmpty else { return [:] }
        let list = SQLList(campaignIDs.map { SQLBind($0) })
        var found: [String: [CampaignVariant]] = [:]
        for row in try await database.raw(
            """
            SELECT campaign_id, variant, subject, template_id FROM campaign_variants
            WHERE workspace_id = \(bind: workspaceID) AND campaign_id IN (\(list)) ORDER BY campaign_id, variant
            """
        ).all() {
            found[try row.decode(column: "campaign_id", as: String.self), default: []].append(
                CampaignVariant(
                    key: try row.decode(column: "variant", as: String.self),
                    subject: try row.decode(column: "subject", as: String?.self),
                    templateID: try row.decode(column: "template_id", as: String?.self)))
        }
        return found
    }

    /// Writes a changed draft when it is still a draft at `expectedVersion` (its version is bumped).
    /// - Returns: false when it changed meanwhile or is no longer a draft.
    package func updateDraft(_ campaign: Campaign, expectedVersion: Int64) async throws -> Bool {
        try await store.transaction { database in
            let c = campaign
            let row = try await database.raw(
                """
                UPDATE campaigns SET name = \(bind: c.name), segment_id = \(bind: c.segmentID),
                    template_id = \(bind: c.templateID), send_at = \(bind: c.sendAt), test_share = \(bind: c.testShare),
                    winner_metric = \(bind: c.winnerMetric.rawValue), winner_wait_minutes = \(bind: c.winnerWaitMinutes),
                    default_variant = \(bind: c.defaultVariant), chosen_variant = \(bind: c.chosenVariant),
                    version = \(bind: c.version), updated_at = \(bind: c.updatedAt)
                WHERE workspace_id = \(bind: c.workspaceID) AND id = \(bind: c.id) AND status = 'draft'
                    AND version = \(bind: expectedVersion)
                RETURNING id
                """
            ).first()
            guard row != nil else { return false }
            try await Self.writeVariants(c, on: database)
            return true
        }
    }

    /// Deletes a draft. - Returns: whether there was one.
    package func deleteDraft(workspaceID: String, id: String) async throws -> Bool {
        guard RecordID.isWellFormed(id) else { return false }
        return try await store.transaction { database in
            let row = try await database.raw(
                """
                DELETE FROM campaigns WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id.lowercased())
                    AND status = 'draft'
                RETURNING id
                """
            ).first()
            guard row != nil else { return false }
            try await database.raw(
                "DELETE FROM campaign_variants WHERE workspace_id = \(bind: workspaceID) AND campaign_id = \(bind: id.lowercased())"
            ).run()
            return true
        }
    }

    // MARK: The steps of a send

    /// What a step changes besides the status; nil members are left as they are.
    package struct Step: Sendable {
        package var sendAt: Int64??
        package var chosenVariant: String??
        package var winnerVariant: String?
        package var winnerReason: WinnerReason?
        package var winnerDueAt: Int64?
        package var phase: String??
        package var cursor: String??
        package var audience: Int?
        package var problem: String?
        package var startedAt: Int64?
        package var finishedAt: Int64?

        package init(
            sendAt: Int64?? = nil, chosenVariant: String?? = nil, winnerVariant: String? = nil,
            winnerReason: WinnerReason? = nil, winnerDueAt: Int64? = nil, phase: String?? = nil,
            cursor: String?? = nil, audience: Int? = nil, problem: String? = nil, startedAt: Int64? = nil,
            finishedAt: Int64? = nil
        ) {
            self.sendAt = sendAt
            self.chosenVariant = chosenVariant
            self.winnerVariant = winnerVariant
            self.winnerReason = winnerReason
            self.winnerDueAt = winnerDueAt
            self.phase = phase
            self.cursor = cursor
            self.audience = audience
            self.problem = problem
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    /// Moves a campaign that is in one of `from` to `to` (nil keeps its status) with `step`'s changes, inside the
    /// caller's transaction when given.
    /// - Returns: false, changing nothing, when it is in none of `from` (or the workspace has no such campaign).
    @discardableResult
    package func advance(
        workspaceID: String, id: String, from: Set<CampaignStatus>, to: CampaignStatus?, _ step: Step = Step(),
        now: Int64, on database: (any SQLDatabase)? = nil
    ) async throws -> Bool {
        var sets: SQLQueryString = "version = version + 1, updated_at = \(bind: now)"
        if let to { sets = sets + ", status = \(bind: to.rawValue)" }
        if let sendAt = step.sendAt { sets = sets + ", send_at = \(bind: sendAt)" }
        if let chosen = step.chosenVariant { sets = sets + ", chosen_variant = \(bind: chosen)" }
        if let winner = step.winnerVariant { sets = sets + ", winner_variant = \(bind: winner)" }
        if let reason = step.winnerReason { sets = sets + ", winner_reason = \(bind: reason.rawValue)" }
        if let due = step.winnerDueAt { sets = sets + ", winner_due_at = \(bind: due)" }
        if let phase = step.phase { sets = sets + ", phase = \(bind: phase)" }
        if let cursor = step.cursor { sets = sets + ", cursor = \(bind: cursor)" }
        if let audience = step.audience { sets = sets + ", audience = \(bind: audience)" }
        if let problem = step.problem { sets = sets + ", problem = \(bind: problem)" }
        if let started = step.startedAt { sets = sets + ", started_at = COALESCE(started_at, \(bind: started))" }
        if let finished = step.finishedAt { sets = sets + ", finished_at = \(bind: finished)" }
        let states = SQLList(from.sorted { $0.rawValue < $1.rawValue }.map { SQLBind($0.rawValue) })
        return try await (database ?? store.database).raw(
            """
            UPDATE campaigns SET \(sets)
            WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND status IN (\(states))
            RETURNING id
            """
        ).first() != nil
    }

    /// Skips the campaign's messages that have not been handed to the server yet (queued or deferred), with
    /// `reason`, inside the caller's transaction; sent messages, and those being sent, are left as they are.
    /// - Returns: how many were skipped.
    @discardableResult
    package func skipUnsent(workspaceID: String, campaignID: String, reason: String, on database: any SQLDatabase)
        async throws -> Int
    {
        try await database.raw(
            """
            UPDATE outbox SET state = 'skipped', last_error = \(bind: reason), claimed_by = NULL
            WHERE workspace_id = \(bind: workspaceID) AND campaign_id = \(bind: campaignID)
                AND state IN ('queued', 'deferred')
            RETURNING id
            """
        ).all().count
    }

    /// Which of `keys` the workspace's outbox already holds (the members a send has already enqueued).
    package func existingKeys(workspaceID: String, keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        var found: Set<String> = []
        for chunk in keys.chunks(of: 500) {
            let list = SQLList(chunk.map { SQLBind($0) })
            for row in try await store.database.raw(
                """
                SELECT idempotency_key FROM outbox
                WHERE workspace_id = \(bind: workspaceID) AND idempotency_key IN (\(list))
                """
            ).all() {
                found.insert(try row.decode(column: "idempotency_key", as: String.self))
            }
        }
        return found
    }

    // MARK: Figures

    /// The outbox `purpose` of an A/B test's own messages, and of those its winner sent to the rest.
    package static let testPurpose = "campaign_test"
    package static let restPurpose = "campaign_rest"
    /// The key the figures of the rest's messages are counted under (a test's own are under their variant).
    package static let restBucket = "rest"

    /// The campaign's messages counted by variant (nil for a campaign without variants): an A/B test's own
    /// messages under their variant, those of the rest under `restBucket`.
    package func counts(workspaceID: String, campaignID: String) async throws -> [String?: CampaignCounts] {
        try await counts(workspaceID: workspaceID, campaignIDs: [campaignID])[campaignID] ?? [:]
    }

    /// The messages of several campaigns (a list page) counted by campaign and variant (as `counts` above).
    package func counts(workspaceID: String, campaignIDs: [String]) async throws -> [String: [String?: CampaignCounts]]
    {
        guard !campaignIDs.isEmpty else { return [:] }
        let list = SQLList(campaignIDs.map { SQLBind($0) })
        var counts: [String: [String?: CampaignCounts]] = [:]
        for row in try await store.database.raw(
            """
            SELECT campaign_id, bucket AS variant, state, COUNT(*) AS n, COUNT(opened_at) AS opened,
                COUNT(clicked_at) AS clicked, COUNT(unsubscribed_at) AS unsubscribed
            FROM (SELECT campaign_id, state, opened_at, clicked_at, unsubscribed_at,
                    CASE WHEN purpose = \(bind: Self.restPurpose) THEN \(bind: Self.restBucket) ELSE variant END AS bucket
                FROM outbox WHERE workspace_id = \(bind: workspaceID) AND campaign_id IN (\(list))) AS m
            GROUP BY campaign_id, bucket, state
            """
        ).all() {
            let id = try row.decode(column: "campaign_id", as: String.self)
            let variant = try row.decode(column: "variant", as: String?.self)
            let state = OutboxState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed
            var figures = counts[id, default: [:]][variant, default: CampaignCounts()]
            figures.add(state: state, count: try row.decode(column: "n", as: Int.self))
            figures.opened += try row.decode(column: "opened", as: Int.self)
            figures.clicked += try row.decode(column: "clicked", as: Int.self)
            figures.unsubscribed += try row.decode(column: "unsubscribed", as: Int.self)
            counts[id, default: [:]][variant] = figures
        }
        return counts
    }

    /// Why the campaigns' messages were not sent or wait: per campaign, each state (skipped, failed, deferred)
    /// and reason with how many messages have it, most first, at most `limit` of them.
    package func reasons(workspaceID: String, campaignIDs: [String], limit: Int = 20) async throws -> [String: [(
        state: OutboxState, reason: String, count: Int
    )]] {
        guard !campaignIDs.isEmpty else { return [:] }
        let list = SQLList(campaignIDs.map { SQLBind($0) })
        var found: [String: [(state: OutboxState, reason: String, count: Int)]] = [:]
        for row in try await store.database.raw(
            """
            SELECT campaign_id, state, COALESCE(deferred_reason, last_error, '') AS reason, COUNT(*) AS n FROM outbox
            WHERE workspace_id = \(bind: workspaceID) AND campaign_id IN (\(list))
                AND state IN ('skipped', 'failed', 'deferred')
            GROUP BY campaign_id, state, COALESCE(deferred_reason, last_error, '')
            ORDER BY n DESC, state, reason
            """
        ).all() {
            let id = try row.decode(column: "campaign_id", as: String.self)
            guard found[id, default: []].count < limit else { continue }
            found[id, default: []].append(
                (
                    OutboxState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
                    try row.decode(column: "reason", as: String.self), try row.decode(column: "n", as: Int.self)
                ))
        }
        return found
    }

    /// The campaign's messages, newest first (of one state when given).
    package func messages(
        workspaceID: String, campaignID: String, state: OutboxState?, limit: Int, before: PageKey?
    ) async throws -> [OutboxMessage] {
        var filter: SQLQueryString = "workspace_id = \(bind: workspaceID) AND campaign_id = \(bind: campaignID)"
        if let state { filter = filter + " AND state = \(bind: state.rawValue)" }
        if let before {
            filter =
                filter
                + " AND (created_at < \(bind: before.createdAt) OR (created_at = \(bind: before.createdAt) AND id < \(bind: before.id)))"
        }
        return try await store.database.raw(
            """
            SELECT \(unsafeRaw: OutboxRepository.columns) FROM outbox WHERE \(filter)
            ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all().map(OutboxRepository.message(from:))
    }

    /// The workspace's time zone (an IANA name), which a `send_at` without an offset is read in.
    package func timeZone(workspaceID: String) async throws -> String {
        try await store.database.raw("SELECT time_zone FROM workspaces WHERE id = \(bind: workspaceID)").first()?
            .decode(column: "time_zone", as: String?.self) ?? "UTC"
    }

    static func campaign(from row: any SQLRow) throws -> Campaign {
        Campaign(
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            segmentID: try row.decode(column: "segment_id", as: String.self),
            templateID: try row.decode(column: "template_id", as: String.self),
            status: CampaignStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            sendAt: try row.decode(column: "send_at", as: Int64?.self),
            testShare: try row.decode(column: "test_share", as: Int.self),
            winnerMetric: WinnerMetric(rawValue: try row.decode(column: "winner_metric", as: String.self)) ?? .open,
            winnerWaitMinutes: try row.decode(column: "winner_wait_minutes", as: Int.self),
            defaultVariant: try row.decode(column: "default_variant", as: String.self),
            chosenVariant: try row.decode(column: "chosen_variant", as: String?.self),
            winnerVariant: try row.decode(column: "winner_variant", as: String?.self),
            winnerReason: try row.decode(column: "winner_reason", as: String?.self).flatMap(WinnerReason.init),
            winnerDueAt: try row.decode(column: "winner_due_at", as: Int64?.self),
            seed: UInt64(bitPattern: try row.decode(column: "seed", as: Int64.self)),
            audience: try row.decode(column: "audience", as: Int?.self),
            problem: try row.decode(column: "problem", as: String?.self),
            createdBy: try row.decode(column: "created_by", as: String?.self),
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            startedAt: try row.decode(column: "started_at", as: Int64?.self),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self))
    }
}

import Foundation

/// Where a campaign is in its life.
package enum CampaignStatus: String, Sendable, CaseIterable, Codable {
    /// Being written; nothing is sent until it is sent or scheduled.
    case draft
    /// Waiting for its `send_at`.
    case scheduled
    /// Enqueuing messages (all of them, the test share, or the rest after the test).
    case sending
    /// The test share is enqueued; the winner is decided at `winner_due_at`.
    case testing
    /// Every message is enqueued (delivery may still be going on in the outbox).
    case sent
    /// Stopped by a user: nothing more is enqueued and queued messages are skipped.
    case cancelled
    /// Stopped because it could not go on (its segment or template no longer works); `problem` says why.
    case failed

    /// Whether the campaign can still be stopped.
    package var isCancellable: Bool { [.draft, .scheduled, .sending, .testing, .sent].contains(self) }
    /// Whether its figures may still change because messages are being enqueued.
    package var isActive: Bool { [.scheduled, .sending, .testing].contains(self) }
}

/// What an A/B test's winner is chosen by: opens or clicks per sent message.
package enum WinnerMetric: String, Sendable, CaseIterable, Codable {
    case open, click
}

/// How the variant that went to the rest was chosen.
package enum WinnerReason: String, Sendable, CaseIterable, Codable {
    /// Its rate was significantly better than every other variant's.
    case significant
    /// Not significant: the variant a user chose.
    case chosen
    /// Not significant and nobody chose: the default variant.
    case `default`
}

/// One variant of an A/B test: a subject of its own, a template of its own, or both (nil keeps the
/// campaign's).
package struct CampaignVariant: Sendable, Equatable, Codable {
    /// `A` to `D`, in order.
    package var key: String
    package var subject: String?
    package var templateID: String?

    package init(key: String, subject: String?, templateID: String?) {
        self.key = key
        self.subject = subject
        self.templateID = templateID
    }

    /// The keys variants take, in order.
    package static let keys = ["A", "B", "C", "D"]
}

/// A campaign: one template sent to a segment's members, now or at a set time, optionally as an A/B test of
/// two to four variants whose winner goes to the rest of the segment.
package struct Campaign: Sendable, Equatable {
    package var workspaceID: String
    package var id: String
    package var name: String
    package var segmentID: String
    package var templateID: String
    package var status: CampaignStatus
    /// When it is to be sent (microseconds); nil for as soon as it is sent.
    package var sendAt: Int64?
    /// Empty for a plain campaign; two to four for an A/B test.
    package var variants: [CampaignVariant]
    /// The percentage of the segment the test goes to (1–100); the rest gets the winner.
    package var testShare: Int
    package var winnerMetric: WinnerMetric
    /// How long after the test share is enqueued the winner is decided, in minutes.
    package var winnerWaitMinutes: Int
    /// The variant that goes when the test is not significant and nobody chose.
    package var defaultVariant: String
    /// The variant a user chose for when the test is not significant.
    package var chosenVariant: String?
    /// The variant that went (or goes) to the rest, once decided.
    package var winnerVariant: String?
    package var winnerReason: WinnerReason?
    /// When the winner is to be decided (set once the test share is enqueued).
    package var winnerDueAt: Int64?
    /// Fixes the random split, so a send that resumes assigns every contact the same variant.
    package var seed: UInt64
    /// How many of the segment's members the send found when it began.
    package var audience: Int?
    /// Why a failed campaign stopped.
    package var problem: String?
    package var createdBy: String?
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64
    package var startedAt: Int64?
    package var finishedAt: Int64?

    package init(
        workspaceID: String, id: String, name: String, segmentID: String, templateID: String,
        status: CampaignStatus = .draft, sendAt: Int64? = nil, variants: [CampaignVariant] = [],
        testShare: Int = CampaignRules.defaultTestShare, winnerMetric: WinnerMetric = .open,
        winnerWaitMinutes: Int = CampaignRules.defaultWaitMinutes, defaultVariant: String = "A",
        chosenVariant: String? = nil, winnerVariant: String? = nil, winnerReason: WinnerReason? = nil,
        winnerDueAt: Int64? = nil, seed: UInt64, audience: Int? = nil, problem: String? = nil, createdBy: String?,
        version: Int64 = 1, createdAt: Int64, updatedAt: Int64, startedAt: Int64? = nil, finishedAt: Int64? = nil
    ) {
        self.workspaceID = workspaceID
        self.id = id
        self.name = name
        self.segmentID = segmentID
        self.templateID = templateID
        self.status = status
        self.sendAt = sendAt
        self.variants = variants
        self.testShare = testShare
        self.winnerMetric = winnerMetric
        self.winnerWaitMinutes = winnerWaitMinutes
        self.defaultVariant = defaultVariant
        self.chosenVariant = chosenVariant
        self.winnerVariant = winnerVariant
        self.winnerReason = winnerReason
        self.winnerDueAt = winnerDueAt
        self.seed = seed
        self.audience = audience
        self.problem = problem
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Whether it is an A/B test.
    package var isTest: Bool { variants.count >= 2 }

    /// The outbox's idempotency key of this campaign's message to a contact: one message per contact, whichever
    /// variant, however often the send runs.
    package static func messageKey(campaignID: String, contactID: String) -> String {
        "campaign:\(campaignID):\(contactID)"
    }
}

/// A campaign's checks that need no database: its name, its A/B settings and variants.
package enum CampaignRules {
    package static let defaultTestShare = 20
    package static let defaultWaitMinutes = 240
    /// The longest wait for a winner: 30 days.
    package static let maximumWaitMinutes = 43_200

    /// What is wrong with a name.
    package static func nameIssues(_ name: String?) -> [FieldIssue] {
        guard let name = name?.trimmed(), !name.isEmpty else {
            return [FieldIssue("name", key: "campaign_name_required", "A campaign needs a name.")]
        }
        if name.count > 200 { return [FieldIssue("name", key: "campaign_name_long", "At most 200 characters.")] }
        return []
    }

    /// What is wrong with a campaign's A/B settings and variants (subjects are checked by the template parser).
    package static func testIssues(
        variants: [CampaignVariant], testShare: Int, waitMinutes: Int, defaultVariant: String,
        chosenVariant: String? = nil
    ) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if variants.count == 1 || variants.count > 4 {
            issues.append(
                FieldIssue("variants", key: "campaign_variants_count", "An A/B test has two to four variants."))
        }
        if !(1...100).contains(testShare) {
            issues.append(
                FieldIssue("test_share", key: "campaign_test_share", "The test share is a percentage from 1 to 100."))
        }
        if !(1...maximumWaitMinutes).contains(waitMinutes) {
            issues.append(
                FieldIssue(
                    "winner_wait_minutes", key: "campaign_wait",
                    "The wait for a winner is 1 to \(maximumWaitMinutes) minutes (30 days)."))
        }
        let keys = variants.isEmpty ? ["A"] : variants.map(\.key)
        if !keys.contains(defaultVariant) {
            issues.append(
                FieldIssue(
                    "default_variant", key: "campaign_unknown_variant", "No such variant: {variant}.",
                    ["variant": defaultVariant]))
        }
        if let chosenVariant, !keys.contains(chosenVariant) {
            issues.append(
                FieldIssue(
                    "variant", key: "campaign_unknown_variant", "No such variant: {variant}.",
                    ["variant": chosenVariant]))
        }
        return issues
    }
}

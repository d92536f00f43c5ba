/// A campaign's messages counted by where they are, and what their recipients did (the first open, click and
/// unsubscribe of each message).
package struct CampaignCounts: Sendable, Equatable {
    /// Waiting for their first attempt or being sent now.
    package var queued = 0
    package var deferred = 0
    package var sent = 0
    package var bounced = 0
    package var failed = 0
    /// Not sent, each with its reason (no address, a value missing, suppressed, cancelled).
    package var skipped = 0
    package var opened = 0
    package var clicked = 0
    package var unsubscribed = 0

    package init() {}

    /// Every message of the campaign.
    package var total: Int { queued + deferred + sent + bounced + failed + skipped }
    /// opened / sent; nil before anything is sent.
    package var openRate: Double? { Self.rate(opened, sent) }
    package var clickRate: Double? { Self.rate(clicked, sent) }
    package var unsubscribeRate: Double? { Self.rate(unsubscribed, sent) }
    /// bounced / (sent + bounced): of the messages the server answered for good, the share it refused.
    package var bounceRate: Double? { Self.rate(bounced, sent + bounced) }

    /// Adds `count` messages in `state` to the figures.
    package mutating func add(state: OutboxState, count: Int) {
        switch state {
        case .queued, .sending: queued += count
        case .deferred: deferred += count
        case .sent: sent += count
        case .bounced: bounced += count
        case .failed: failed += count
        case .skipped: skipped += count
        }
    }

    /// Adds another's figures (a variant's to the campaign's).
    package mutating func add(_ other: CampaignCounts) {
        queued += other.queued
        deferred += other.deferred
        sent += other.sent
        bounced += other.bounced
        failed += other.failed
        skipped += other.skipped
        opened += other.opened
        clicked += other.clicked
        unsubscribed += other.unsubscribed
    }

    /// The successes of a test's metric.
    package func successes(_ metric: WinnerMetric) -> Int { metric == .open ? opened : clicked }

    static func rate(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
}

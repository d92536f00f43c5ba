import Foundation
import RapportCore
import Testing

/// The A/B test's statistics, split and winner rule, against values worked out by hand in docs/metrics.md.
@Suite("A/B tests")
struct ABTestTests {
    static func close(_ a: Double?, _ b: Double, within tolerance: Double = 0.000_05) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    @Test("the normal distribution function at known points")
    func normal() {
        #expect(Self.close(Proportions.normalCDF(0), 0.5))
        #expect(Self.close(Proportions.normalCDF(Proportions.z95), 0.975))
        #expect(Self.close(Proportions.normalCDF(-1.644_854), 0.05))
        #expect(Self.close(Proportions.normalCDF(2.5), 0.993_790))
    }

    @Test("a Wilson interval as docs/metrics.md works it out")
    func wilson() throws {
        // 50 opened of 200 sent: p̂ = 0.25, z²/n = 0.019208, centre 0.254712, half-width 0.059630
        let a = try #require(Proportions.wilson(successes: 50, trials: 200))
        #expect(Self.close(a.low, 0.195_082))
        #expect(Self.close(a.high, 0.314_341))
        let b = try #require(Proportions.wilson(successes: 30, trials: 200))
        #expect(Self.close(b.low, 0.107_136))
        #expect(Self.close(b.high, 0.206_056))
        // it stays inside 0…1 where the textbook interval would not
        let none = try #require(Proportions.wilson(successes: 0, trials: 10))
        #expect(none.low == 0 && Self.close(none.high, 0.277_533))
        let all = try #require(Proportions.wilson(successes: 10, trials: 10))
        #expect(Self.close(all.low, 0.722_467) && all.high <= 1)
        #expect(Proportions.wilson(successes: 0, trials: 0) == nil)
    }

    @Test("the pooled two-proportion test as docs/metrics.md works it out")
    func twoProportion() throws {
        // 50/200 against 30/200: pooled 0.2, standard error √(0.2·0.8·(1/200 + 1/200)) = 0.04, z = 0.10 / 0.04
        let significant = try #require(Proportions.twoProportion(50, 200, 30, 200))
        #expect(Self.close(significant.z, 2.5))
        #expect(Self.close(significant.pValue, 0.012_419))
        // 12/100 against 10/100: z = 0.452, p = 0.651
        let not = try #require(Proportions.twoProportion(12, 100, 10, 100))
        #expect(Self.close(not.z, 0.451_985))
        #expect(Self.close(not.pValue, 0.651_280))
        // nothing to compare: no trials, or both sides all alike
        #expect(Proportions.twoProportion(1, 0, 1, 10) == nil)
        #expect(Proportions.twoProportion(0, 50, 0, 80) == nil)
    }

    @Test("the winner rule: significant, the user's choice, the default")
    func winnerRule() {
        let clear = [
            VariantResult(key: "A", sent: 200, successes: 30), VariantResult(key: "B", sent: 200, successes: 50),
        ]
        let won = WinnerRule.decide(clear, chosen: "A", defaultVariant: "A")
        #expect(won.variant == "B" && won.reason == .significant)
        #expect(won.outcome.best == "B" && won.outcome.significant)
        #expect(Self.close(won.outcome.pValue, 0.012_419))

        let close = [
            VariantResult(key: "A", sent: 100, successes: 12), VariantResult(key: "B", sent: 100, successes: 10),
        ]
        let chosen = WinnerRule.decide(close, chosen: "B", defaultVariant: "A")
        #expect(chosen.variant == "B" && chosen.reason == .chosen)
        #expect(chosen.outcome.best == "A" && !chosen.outcome.significant)
        let fallback = WinnerRule.decide(close, chosen: nil, defaultVariant: "B")
        #expect(fallback.variant == "B" && fallback.reason == .default)

        // nothing sent yet, or a tie: no best, the default goes
        let empty = [VariantResult(key: "A", sent: 0, successes: 0), VariantResult(key: "B", sent: 0, successes: 0)]
        #expect(WinnerRule.decide(empty, chosen: nil, defaultVariant: "A").reason == .default)
        let tie = [
            VariantResult(key: "A", sent: 100, successes: 40), VariantResult(key: "B", sent: 100, successes: 40),
        ]
        #expect(WinnerRule.outcome(tie).best == nil)
    }

    @Test("with three variants the 5% is shared between the two comparisons")
    func bonferroni() {
        // A 60/300 against B 40/300: p = 0.0285, under 0.05 but over 0.05 / 2
        let three = [
            VariantResult(key: "A", sent: 300, successes: 60), VariantResult(key: "B", sent: 300, successes: 40),
            VariantResult(key: "C", sent: 300, successes: 42),
        ]
        let outcome = WinnerRule.outcome(three)
        #expect(outcome.best == "A")
        #expect(Self.close(outcome.alpha, 0.025))
        #expect(!outcome.significant)
        #expect(WinnerRule.outcome(Array(three.prefix(2))).significant)
    }

    @Test("the test group is the share asked for, split evenly, the same every time")
    func splitEven() {
        let ids = (0..<1003).map { String(format: "0192f0a0-0000-7000-8000-%012d", $0) }
        for (share, variants) in [(20, 2), (20, 3), (50, 4), (100, 3), (1, 4)] {
            let group = ABSplit.assign(ids, seed: 42, share: share, variants: variants)
            #expect(group.count == ABSplit.testSize(members: ids.count, share: share, variants: variants))
            var sizes = [Int](repeating: 0, count: variants)
            for index in group.values { sizes[index] += 1 }
            #expect(sizes.max()! - sizes.min()! <= 1, "share \(share), \(variants) variants: \(sizes)")
            // the same split again, whatever order the members are read in
            #expect(ABSplit.assign(ids.reversed(), seed: 42, share: share, variants: variants) == group)
        }
        #expect(ABSplit.testSize(members: 1003, share: 20, variants: 2) == 201)
        #expect(ABSplit.testSize(members: 3, share: 20, variants: 2) == 2)  // one per variant at least
        #expect(ABSplit.testSize(members: 1, share: 20, variants: 4) == 1)
        #expect(ABSplit.testSize(members: 0, share: 20, variants: 2) == 0)
    }

    @Test("the split is random: another seed, another group, not the first members read")
    func splitRandom() {
        let ids = (0..<2000).map { String(format: "0192f0a0-0000-7000-8000-%012d", $0) }
        let one = ABSplit.assign(ids, seed: 1, share: 10, variants: 2)
        let two = ABSplit.assign(ids, seed: 2, share: 10, variants: 2)
        let overlap = Set(one.keys).intersection(two.keys).count
        // two random tenths share about a tenth of their members (20 of 200), far from all of them
        #expect(overlap < 60, "overlap \(overlap)")
        // the group is spread over the members, not the first (or last) in any order
        let positions = one.keys.compactMap { ids.firstIndex(of: $0) }
        let firstHalf = positions.filter { $0 < 1000 }.count
        #expect((70...130).contains(firstHalf), "first half \(firstHalf) of 200")
        // and each variant gets members from all over
        let aPositions = one.filter { $0.value == 0 }.keys.compactMap { ids.firstIndex(of: $0) }
        #expect((30...70).contains(aPositions.filter { $0 < 1000 }.count))
    }

    @Test("a send time without an offset is read in the workspace's time zone")
    func schedule() throws {
        let copenhagen = try #require(TimeZone(identifier: "Europe/Copenhagen"))
        let tehran = try #require(TimeZone(identifier: "Asia/Tehran"))
        // 9:00 in Copenhagen in May (summer time, +02:00) is 7:00 UTC
        #expect(CampaignSchedule.moment("2026-05-04T09:00", timeZone: copenhagen) == micros("2026-05-04T07:00:00Z"))
        #expect(CampaignSchedule.moment("2026-05-04T09:00:30", timeZone: copenhagen) == micros("2026-05-04T07:00:30Z"))
        // in January (+01:00) 8:00 UTC
        #expect(CampaignSchedule.moment("2026-01-15T09:00", timeZone: copenhagen) == micros("2026-01-15T08:00:00Z"))
        // Tehran is +03:30
        #expect(CampaignSchedule.moment("2026-01-15 09:00", timeZone: tehran) == micros("2026-01-15T05:30:00Z"))
        // with an offset, as given, whatever the zone
        #expect(
            CampaignSchedule.moment("2026-05-04T09:00:00+02:00", timeZone: tehran) == micros("2026-05-04T07:00:00Z"))
        #expect(CampaignSchedule.moment("2026-05-04T07:00:00Z", timeZone: copenhagen) == micros("2026-05-04T07:00:00Z"))
        // nonsense and days that do not exist
        for bad in ["tomorrow", "2026-02-30T09:00", "2026-13-01T09:00", "2026-05-04", "2026-05-04T25:00", ""] {
            #expect(CampaignSchedule.moment(bad, timeZone: copenhagen) == nil, "\(bad)")
        }
        // and back to the form's local text
        #expect(CampaignSchedule.localText(micros("2026-05-04T07:00:00Z"), timeZone: copenhagen) == "2026-05-04T09:00")
    }

    func micros(_ text: String) -> Int64 { Timestamp.fastMicros(text)! }

    @Test("a campaign's counts and rates")
    func counts() {
        var counts = CampaignCounts()
        for (state, n) in [(OutboxState.queued, 2), (.sending, 1), (.sent, 8), (.bounced, 2), (.skipped, 3)] {
            counts.add(state: state, count: n)
        }
        counts.opened = 4
        counts.clicked = 2
        counts.unsubscribed = 1
        #expect(counts.queued == 3 && counts.total == 16)
        #expect(counts.openRate == 0.5 && counts.clickRate == 0.25 && counts.unsubscribeRate == 0.125)
        #expect(counts.bounceRate == 0.2)
        #expect(CampaignCounts().openRate == nil)
    }

    @Test("A/B settings are checked")
    func rules() {
        let two = [
            CampaignVariant(key: "A", subject: "x", templateID: nil),
            CampaignVariant(key: "B", subject: "y", templateID: nil),
        ]
        #expect(CampaignRules.testIssues(variants: two, testShare: 20, waitMinutes: 60, defaultVariant: "A").isEmpty)
        #expect(CampaignRules.testIssues(variants: [], testShare: 20, waitMinutes: 60, defaultVariant: "A").isEmpty)
        let fields = CampaignRules.testIssues(
            variants: Array(two.prefix(1)), testShare: 0, waitMinutes: 0, defaultVariant: "C"
        ).map(\.field)
        #expect(fields == ["variants", "test_share", "winner_wait_minutes", "default_variant"])
        #expect(CampaignRules.nameIssues("  ").map(\.field) == ["name"])
    }
}

import Foundation

/// The statistics of an A/B test, as docs/metrics.md writes them: a rate with its 95% Wilson score interval,
/// and the pooled two-proportion z-test between two rates.
package enum Proportions {
    /// The normal quantile of 97.5%: a two-sided 95% interval is ±1.959964 standard errors.
    package static let z95 = 1.959_963_984_540_054

    /// The standard normal distribution function Φ(x).
    package static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The Wilson score interval of `successes` out of `trials` at `z` (95% by default); nil without trials.
    /// `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`, which stays inside 0…1 and is fair for small `n`
    /// and rates near 0, where the textbook p̂ ± z·√(p̂(1−p̂)/n) is not.
    package static func wilson(successes: Int, trials: Int, z: Double = z95) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(min(max(successes, 0), trials)) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    /// The pooled two-proportion z-test of x₁/n₁ against x₂/n₂.
    package struct Comparison: Sendable, Equatable {
        /// (p̂₁ − p̂₂) / √(p̂(1−p̂)(1/n₁ + 1/n₂)), p̂ the pooled rate (x₁+x₂)/(n₁+n₂).
        package var z: Double
        /// Two-sided: 2(1 − Φ(|z|)).
        package var pValue: Double
    }

    /// nil when either side has no trials, or when the pooled rate is 0 or 1 (both sides all alike: no
    /// difference to test).
    package static func twoProportion(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> Comparison? {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = Double(x1) / Double(n1)
        let p2 = Double(x2) / Double(n2)
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))
        guard variance > 0 else { return nil }
        let z = (p1 - p2) / variance.squareRoot()
        return Comparison(z: z, pValue: 2 * (1 - normalCDF(abs(z))))
    }
}

/// One variant's figures in a test: of the messages sent, how many were opened (or clicked).
package struct VariantResult: Sendable, Equatable {
    package var key: String
    package var sent: Int
    package var successes: Int

    package init(key: String, sent: Int, successes: Int) {
        self.key = key
        self.sent = sent
        self.successes = successes
    }

    /// successes / sent; nil before anything is sent.
    package var rate: Double? { sent > 0 ? Double(successes) / Double(sent) : nil }
    /// The 95% Wilson interval of the rate.
    package var interval: (low: Double, high: Double)? { Proportions.wilson(successes: successes, trials: sent) }
}

/// What a test says: the variant with the best rate, each other variant compared with it, and whether the best
/// is significantly better than all of them.
package struct TestOutcome: Sendable, Equatable {
    package struct Versus: Sendable, Equatable {
        package var key: String
        package var comparison: Proportions.Comparison?
    }

    /// The variant with the highest rate; nil when no variant has a sent message, or two share the highest.
    package var best: String?
    /// The best against each other variant.
    package var versus: [Versus]
    /// The level each comparison is held to: 0.05 shared among the comparisons (Bonferroni), 0.05 / (k − 1).
    package var alpha: Double
    /// Whether the best beats every other variant at `alpha`.
    package var significant: Bool

    /// The largest p-value of the best's comparisons (the one that decides), nil when there is none.
    package var pValue: Double? { versus.compactMap(\.comparison?.pValue).max() }
}

/// Decides an A/B test: the best variant when it is significantly better than each other one at 95% (the
/// error shared among the comparisons), else the variant a user chose, else the default.
package enum WinnerRule {
    /// The test's outcome for `results` (one per variant, in order).
    package static func outcome(_ results: [VariantResult], level: Double = 0.05) -> TestOutcome {
        let alpha = level / Double(max(results.count - 1, 1))
        let rated = results.filter { $0.rate != nil }
        guard let top = rated.map({ $0.rate! }).max() else {
            return TestOutcome(best: nil, versus: [], alpha: alpha, significant: false)
        }
        let leaders = rated.filter { $0.rate == top }
        guard leaders.count == 1, let best = leaders.first else {
            return TestOutcome(best: nil, versus: [], alpha: alpha, significant: false)
        }
        let versus = results.filter { $0.key != best.key }.map { other in
            TestOutcome.Versus(
                key: other.key,
                comparison: Proportions.twoProportion(best.successes, best.sent, other.successes, other.sent))
        }
        let significant =
            !versus.isEmpty && versus.allSatisfy { ($0.comparison?.pValue).map { $0 < alpha } ?? false }
        return TestOutcome(best: best.key, versus: versus, alpha: alpha, significant: significant)
    }

    /// The variant for the rest, and why.
    package static func decide(_ results: [VariantResult], chosen: String?, defaultVariant: String) -> (
        variant: String, reason: WinnerReason, outcome: TestOutcome
    ) {
        let outcome = outcome(results)
        if outcome.significant, let best = outcome.best { return (best, .significant, outcome) }
        if let chosen { return (chosen, .chosen, outcome) }
        return (defaultVariant, .default, outcome)
    }
}

/// The random split of an A/B test: which members get the test, and which variant each gets. Each member's place
/// is a hash of the campaign's seed and the contact's id, so the split is uniformly random, the same every time
/// the send runs (a send that resumes assigns the same), and independent of the order members are read in.
package enum ABSplit {
    /// A member's place in the campaign's random order: FNV-1a of the id's bytes, mixed with the seed by
    /// SplitMix64's finaliser.
    package static func rank(_ id: String, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        var z = hash ^ seed
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// How many of `members` get the test: `share` percent, rounded half up, and at least one per variant where
    /// there are enough members.
    package static func testSize(members: Int, share: Int, variants: Int) -> Int {
        let size = (members * min(max(share, 0), 100) + 50) / 100
        return min(members, max(size, min(members, variants)))
    }

    /// The test group: each of its members with the index of their variant (0 for A). The members are put in
    /// their random order; the first `testSize` form the group and are dealt to the variants in turn, starting
    /// at a variant the seed picks, so the groups differ in size by one at most.
    package static func assign(_ ids: [String], seed: UInt64, share: Int, variants: Int) -> [String: Int] {
        guard variants > 0 else { return [:] }
        let unique = Array(Set(ids))
        let size = testSize(members: unique.count, share: share, variants: variants)
        let ordered = unique.map { (rank($0, seed: seed), $0) }.sorted { $0 < $1 }.prefix(size)
        let start = Int(seed % UInt64(variants))
        var group: [String: Int] = [:]
        for (place, member) in ordered.enumerated() { group[member.1] = (place + start) % variants }
        return group
    }
}

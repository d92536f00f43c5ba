import Foundation

/// How deals went through a pipeline's stages in a window of time, from the stage history. Every
/// figure is defined in docs/metrics.md so that it can be checked by hand.
package struct Funnel: Sendable, Equatable {
    /// One open stage's figures.
    package struct StageFigures: Sendable, Equatable {
        package var stageID: String
        package var name: String
        /// Deals that entered the stage in the window (each deal once).
        package var entered: Int
        /// Of those, the deals that later reached an open stage further on, or the won stage.
        package var advanced: Int
        /// `advanced / entered`, to four decimals; nil when nothing entered.
        package var conversionRate: Double?
        /// Days between entering the stage in the window and leaving it, over the stays that ended.
        package var medianDaysInStage: Double?
        package var meanDaysInStage: Double?
    }

    /// What the store measured for one stage, in microseconds.
    package struct StageCounts: Sendable, Equatable {
        package var entered: Int
        package var advanced: Int
        package var medianMicros: Double?
        package var meanMicros: Double?

        package init(entered: Int, advanced: Int, medianMicros: Double?, meanMicros: Double?) {
            self.entered = entered
            self.advanced = advanced
            self.medianMicros = medianMicros
            self.meanMicros = meanMicros
        }
    }

    package var stages: [StageFigures]
    /// Deals closed in the window as won, and as lost.
    package var won: Int
    package var lost: Int
    /// `won / (won + lost)`, to four decimals; nil when none closed.
    package var winRate: Double?
    /// Days from creation to won, over the deals won in the window.
    package var cycleDaysMedian: Double?
    package var cycleDaysMean: Double?

    /// The figures of `pipeline`'s open stages, in its order, from what the store counted.
    package static func assemble(
        pipeline: Pipeline, counts: [String: StageCounts], won: Int, lost: Int, cycleMedianMicros: Double?,
        cycleMeanMicros: Double?
    ) -> Funnel {
        let stages = pipeline.stages.filter { $0.kind == .open }.map { stage in
            let count = counts[stage.id] ?? StageCounts(entered: 0, advanced: 0, medianMicros: nil, meanMicros: nil)
            return StageFigures(
                stageID: stage.id, name: stage.name, entered: count.entered, advanced: count.advanced,
                conversionRate: ratio(count.advanced, count.entered), medianDaysInStage: days(count.medianMicros),
                meanDaysInStage: days(count.meanMicros))
        }
        return Funnel(
            stages: stages, won: won, lost: lost, winRate: ratio(won, won + lost),
            cycleDaysMedian: days(cycleMedianMicros), cycleDaysMean: days(cycleMeanMicros))
    }

    /// `part / whole` to four decimals; nil for nothing.
    package static func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : (Double(part) / Double(whole) * 10_000).rounded() / 10_000
    }

    /// Microseconds as days, to two decimals.
    package static func days(_ micros: Double?) -> Double? {
        micros.map { ($0 / 86_400_000_000 * 100).rounded() / 100 }
    }
}

import Foundation

/// A pipeline's kanban board: a column per stage with its first cards, how many deals it holds, their
/// total and their weighted total (amount × the stage's probability), per currency.
package struct Board: Sendable {
    /// What the store added up for one stage and currency.
    package struct Sum: Sendable, Equatable {
        package var stageID: String
        package var currency: String?
        package var count: Int
        package var amount: Int64

        package init(stageID: String, currency: String?, count: Int, amount: Int64) {
            self.stageID = stageID
            self.currency = currency
            self.count = count
            self.amount = amount
        }
    }

    /// One stage's column.
    package struct Column: Sendable {
        package var stage: Stage
        /// The newest deals first, at most `Board.cardsPerColumn`.
        package var cards: [Record]
        package var count: Int
        /// Per currency (nil for deals without an amount's currency): the total and the weighted total,
        /// in minor units (weighted rounded to a whole unit).
        package var totals: [(currency: String, amount: Int64, weighted: Int64)]
    }

    /// Cards shown in a column; the rest are counted and reached through the list.
    package static let cardsPerColumn = 50

    package var pipeline: Pipeline
    package var columns: [Column]

    package init(pipeline: Pipeline, cards: [String: [Record]], sums: [Sum]) {
        self.pipeline = pipeline
        self.columns = pipeline.stages.map { stage in
            let mine = sums.filter { $0.stageID == stage.id }
            let totals = mine.compactMap { sum -> (currency: String, amount: Int64, weighted: Int64)? in
                guard let currency = sum.currency else { return nil }
                return (currency, sum.amount, (sum.amount * Int64(stage.probability) + 50) / 100)
            }.sorted { $0.currency < $1.currency }
            return Column(
                stage: stage, cards: cards[stage.id] ?? [], count: mine.reduce(0) { $0 + $1.count }, totals: totals)
        }
    }
}

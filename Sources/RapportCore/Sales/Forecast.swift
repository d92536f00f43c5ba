import Foundation

/// The weighted pipeline beside what was won and the best case, for one pipeline and currency, by
/// month of expected close or by owner. Money in minor units; definitions in docs/metrics.md.
package struct Forecast: Sendable, Equatable {
    /// How the rows are grouped.
    package enum Grouping: String, Sendable, CaseIterable {
        case month, owner
    }

    /// One group: a month (`YYYY-MM`; nil for open deals with no expected close date) or an owner (nil
    /// for deals nobody owns).
    package struct Row: Sendable, Equatable {
        package var key: String?
        /// Σ amount × the stage's probability / 100 over open deals, rounded to a whole minor unit.
        package var weighted: Int64
        /// Σ amount of open deals.
        package var bestCase: Int64
        /// Σ amount of deals won (in the month they closed, for months).
        package var won: Int64
        package var openDeals: Int
        package var wonDeals: Int

        package init(key: String?, weighted: Int64, bestCase: Int64, won: Int64, openDeals: Int, wonDeals: Int) {
            self.key = key
            self.weighted = weighted
            self.bestCase = bestCase
            self.won = won
            self.openDeals = openDeals
            self.wonDeals = wonDeals
        }
    }

    package var pipelineID: String
    /// The currency of every amount; nil when the pipeline has no deals with an amount.
    package var currency: String?
    package var grouping: Grouping
    /// Months in order (the undated last), or owners by weighted amount.
    package var rows: [Row]

    package init(pipelineID: String, currency: String?, grouping: Grouping, rows: [Row]) {
        self.pipelineID = pipelineID
        self.currency = currency
        self.grouping = grouping
        self.rows = rows
    }

    /// The sum of every row.
    package var total: Row {
        rows.reduce(Row(key: nil, weighted: 0, bestCase: 0, won: 0, openDeals: 0, wonDeals: 0)) {
            Row(
                key: nil, weighted: $0.weighted + $1.weighted, bestCase: $0.bestCase + $1.bestCase,
                won: $0.won + $1.won, openDeals: $0.openDeals + $1.openDeals, wonDeals: $0.wonDeals + $1.wonDeals)
        }
    }

    /// Rows from the open and won sums the store counted per key, in the grouping's order.
    /// - Parameter weightedHundredths: Σ amount × probability (hundredths of a minor unit).
    package static func rows(
        open: [(key: String?, weightedHundredths: Int64, amount: Int64, count: Int)],
        won: [(key: String?, amount: Int64, count: Int)], grouping: Grouping
    ) -> [Row] {
        var rows: [String?: Row] = [:]
        for item in open {
            var row = rows[item.key] ?? Row(key: item.key, weighted: 0, bestCase: 0, won: 0, openDeals: 0, wonDeals: 0)
            row.weighted += (item.weightedHundredths + 50) / 100
            row.bestCase += item.amount
            row.openDeals += item.count
            rows[item.key] = row
        }
        for item in won {
            var row = rows[item.key] ?? Row(key: item.key, weighted: 0, bestCase: 0, won: 0, openDeals: 0, wonDeals: 0)
            row.won += item.amount
            row.wonDeals += item.count
            rows[item.key] = row
        }
        switch grouping {
        case .month:
            return rows.values.sorted { ($0.key ?? "9999-99") < ($1.key ?? "9999-99") }
        case .owner:
            return rows.values.sorted {
                ($0.weighted + $0.won, $0.key ?? "") > ($1.weighted + $1.won, $1.key ?? "")
            }
        }
    }
}

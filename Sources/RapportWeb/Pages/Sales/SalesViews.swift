import Foundation

/// The tabs over every sales page: the board, the list of deals, the funnel and the forecast, and the
/// pipeline they are about.
struct SalesTabs {
    struct Tab {
        let path: String
        let label: String
        let current: Bool
    }

    let tabs: [Tab]
    /// The workspace's pipelines, the current one selected (a form that reloads the page).
    let pipelines: [Option]
    let hasSeveral: Bool
}

/// A pipeline's kanban board.
struct DealBoardView: PageContent {
    static let template = "sales/board"

    struct Card {
        let id: String
        let name: String
        let path: String
        let company: String?
        let amount: String?
        let close: String?
        let owner: String?
        /// The other stages, for the move form that works by keyboard and without JavaScript.
        let stages: [Option]
    }

    struct Column {
        let id: String
        let name: String
        let kind: String
        let probability: String
        let count: String
        /// Each currency's total and weighted total, as people read them ("12,500.00 DKK").
        let totals: [(total: String, weighted: String)]
        let hasTotals: Bool
        let cards: [Card]
        /// When the column holds more deals than it shows: the list of them all.
        let more: String?
        let isLost: Bool
        let isWon: Bool
    }

    let tabs: SalesTabs
    let pipelineID: String
    let owners: [Option]
    let teams: [Option]
    let closeFrom: String
    let closeTo: String
    let columns: [Column]
    let moveAction: String
    /// Where the move form returns (this board with its filters).
    let back: String
    let error: String?
}

/// A pipeline's funnel: its table and chart.
struct FunnelView: PageContent {
    static let template = "sales/funnel"

    struct Row {
        let name: String
        let entered: String
        let advanced: String
        let conversion: String
        let median: String
        let mean: String
    }

    let tabs: SalesTabs
    let pipelineID: String
    let from: String
    let to: String
    let owners: [Option]
    let rows: [Row]
    let chart: String
    let won: String
    let lost: String
    let winRate: String
    let cycleMedian: String
    let cycleMean: String
    let error: String?
}

/// The forecast: its table and chart.
struct ForecastView: PageContent {
    static let template = "sales/forecast"

    struct Row {
        let label: String
        /// The months of the viewer's other calendar that this Gregorian month spans (Solar Hijri).
        var otherCalendar: String?
        let won: String
        let weighted: String
        let bestCase: String
        let openDeals: String
    }

    let tabs: SalesTabs
    let pipelineID: String
    let from: String
    let to: String
    let byMonth: Bool
    let currency: String
    let rows: [Row]
    let total: Row?
    let chart: String
    let hasRows: Bool
    let error: String?
}

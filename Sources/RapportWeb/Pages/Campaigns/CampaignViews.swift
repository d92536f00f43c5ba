/// The workspace's campaigns, newest first.
struct CampaignsView: PageContent {
    static let template = "campaigns/index"

    struct Row {
        let name: String
        let path: String
        let status: String
        let statusClass: String
        /// When it was sent, began or is scheduled.
        let when: String
        let messages: String
        let sent: String
        let openRate: String
        let clickRate: String
        let isTest: Bool
    }

    let rows: [Row]
    let hasRows: Bool
    let canManage: Bool
    /// The next (older) page.
    let nextPath: String?
}

/// The form of a new campaign or a draft.
struct CampaignEditView: PageContent {
    static let template = "campaigns/edit"

    struct VariantRow {
        let key: String
        let label: String
        let subjectName: String
        let templateName: String
        let subject: String
        let templates: [Option]
        let subjectError: String?
        let templateError: String?
    }

    let heading: String
    let action: String
    let name: String
    let segments: [Option]
    let templates: [Option]
    let noSegments: Bool
    let noTemplates: Bool
    let sendNow: Bool
    let sendLater: Bool
    /// A `datetime-local` value in the workspace's time zone.
    let sendAt: String
    let timeZoneHint: String
    let isTest: Bool
    let variants: [VariantRow]
    let testShare: String
    let metrics: [Option]
    let waitHours: String
    let defaults: [Option]
    let errors: [String: String]
    /// A saved draft's deletion; nil for a new campaign.
    let deletePath: String?
    let canManage: Bool
}

/// A campaign that has been sent (or scheduled, cancelled, failed): what it is, its figures, its actions.
struct CampaignView: PageContent {
    static let template = "campaigns/show"

    struct Detail {
        let label: String
        let value: String
        let path: String?
    }

    let heading: String
    let details: [Detail]
    let problem: String?
    let figures: CampaignFiguresView
    let cancelPath: String?
    /// A scheduled campaign's way back to a draft, while its time has not come.
    let unschedulePath: String?
    /// Where the choice of the variant for a test that is not significant goes, while it can still be made.
    let winnerPath: String?
    let winnerOptions: [Option]
    let listPath: String
}

/// A campaign's figures: its status, counts and rates, and an A/B test's variants with their intervals and
/// verdict. Shown inside the campaign's page, and alone for `campaign.js` to refresh while the campaign sends.
struct CampaignFiguresView: PageContent {
    static let template = "campaigns/figures"

    struct Stat {
        let key: String
        let label: String
        let count: String
        let rate: String?
    }

    struct VariantRow {
        let key: String
        let subject: String?
        let sent: String
        let successes: String
        let rate: String
        let interval: String
        let winner: Bool
    }

    struct Reason {
        let state: String
        let reason: String
        let count: String
    }

    /// Where the script reads the figures again.
    let source: String
    /// Whether they may still change (the campaign sends, or messages wait in the outbox).
    let live: Bool
    let status: String
    let statusClass: String
    let progress: String?
    let schedule: String?
    let stats: [Stat]
    let isTest: Bool
    /// What the variants' table counts: opened, or clicked.
    let successesLabel: String
    let variants: [VariantRow]
    /// The rates and intervals drawn as SVG.
    let chart: String?
    let verdict: String?
    /// Which variant goes if the test is not significant, and why.
    let fallback: String?
    let reasons: [Reason]
    let hasReasons: Bool
}

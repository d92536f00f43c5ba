/// The page a user starts the day on: what changed on their records since they last looked, their own
/// records of each object (a panel each), what changed lately in the workspace, how many contacts are at each lifecycle stage, and, in an empty
/// workspace, the first steps.
struct HomeView: PageContent {
    static let template = "home"

    /// A count of one object's records, linking to its list.
    struct Count {
        let label: String
        let number: String
        let path: String
    }

    struct Recent {
        let title: String
        let path: String
        /// The object, as the user reads it.
        let kind: String
        let when: String
        let exact: String
    }

    /// Something another user (or an import) did to one of the user's records.
    struct Change {
        let title: String
        let path: String
        let what: String
        let actor: String?
        let when: String
        let exact: String
    }

    /// A panel of the user's own records of one object: how many, the latest few, and all of them.
    struct Mine {
        struct Row {
            let title: String
            let path: String
            let when: String
            let exact: String
        }

        let heading: String
        let count: String
        let all: String
        let rows: [Row]
        let hasRows: Bool
    }

    /// A step of getting started, for an empty workspace.
    struct Step {
        let label: String
        let path: String
    }

    let userName: String
    let workspaceName: String
    let counts: [Count]
    /// The stage chart as SVG; nil without contacts.
    let stageChart: String?
    let recent: [Recent]
    let hasRecent: Bool
    let mine: [Mine]
    let changes: [Change]
    let hasChanges: Bool
    /// "Since your last visit (3 days ago)" or "In the last 7 days".
    let changesHeading: String
    let firstSteps: [Step]
    let isEmpty: Bool
}

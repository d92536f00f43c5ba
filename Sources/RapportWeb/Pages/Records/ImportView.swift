import RapportServices

/// The import wizard's page at each step: upload, preview (mapping and what a dry run found),
/// progress, and the report.
struct ImportView: PageContent {
    static let template = "records/import"

    enum Step {
        case upload, preview, progress, report
    }

    /// One column of the file and the field it goes to.
    struct Mapping {
        let column: String
        let field: String
    }

    struct Problem {
        let row: Int
        let column: String
        let message: String
    }

    let heading: String
    /// The wizard's first page, where a file is uploaded.
    let base: String
    /// The object's list.
    let list: String
    let stepUpload: Bool
    let stepPreview: Bool
    let stepProgress: Bool
    let stepReport: Bool
    let error: String?
    /// Where the checked upload is imported from.
    let run: String?
    let mapping: [Mapping]
    let percent: Int?
    /// Seconds before the progress page reloads itself.
    let refresh: Int?
    let created: Int
    let updated: Int
    let unchanged: Int
    let rejected: Int
    let skipped: Int
    let companiesCreated: Int
    let hasErrors: Bool
    let errors: [Problem]

    init(
        heading: String, base: String, list: String, step: Step, error: String? = nil, run: String? = nil,
        mapping: [Mapping] = [], percent: Int? = nil, report: ImportReport? = nil
    ) {
        self.heading = heading
        self.base = base
        self.list = list
        self.stepUpload = step == .upload
        self.stepPreview = step == .preview
        self.stepProgress = step == .progress
        self.stepReport = step == .report
        self.error = error
        self.run = run
        self.mapping = mapping
        self.percent = percent
        self.refresh = step == .progress ? 1 : nil
        self.created = report?.created ?? 0
        self.updated = report?.updated ?? 0
        self.unchanged = report?.unchanged ?? 0
        self.rejected = report?.rejected ?? 0
        self.skipped = report?.skipped ?? 0
        self.companiesCreated = report?.companiesCreated ?? 0
        self.hasErrors = !(report?.errors.isEmpty ?? true)
        self.errors =
            (report?.errors.prefix(100)).map {
                $0.map { Problem(row: $0.row, column: $0.column, message: $0.message) }
            } ?? []
    }
}

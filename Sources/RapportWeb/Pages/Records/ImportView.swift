import Foundation
import RapportCore
import RapportServices

/// The import wizard's page at each step: upload, preview (the mapping to edit and what a dry run
/// found), progress, and the report.
struct ImportView: PageContent {
    static let template = "records/import"

    enum Step {
        case upload, preview, progress, report
    }

    /// One column of the file, its first value, and the targets it can go to (the chosen one selected).
    struct Mapping {
        let index: Int
        let column: String
        let sample: String?
        let options: [Option]
    }

    struct Problem {
        let row: String
        let column: String
        let message: String
    }

    /// A record the import created, linked.
    struct Link {
        let href: String
        let title: String
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
    /// Where the checked upload is checked again or imported from.
    let run: String?
    let mapping: [Mapping]
    let strict: Bool
    let percent: Int?
    /// The percentage as the reader writes numbers.
    let percentText: String?
    /// Seconds before the progress page reloads itself.
    let refresh: Int?
    let hasReport: Bool
    let created: String
    let updated: String
    let unchanged: String
    let rejected: String
    let duplicates: String
    let skipped: String
    let companiesCreated: String
    let hasErrors: Bool
    let errors: [Problem]
    /// The rejected and duplicate rows as CSV, when there are any.
    let rejectedRows: String?
    /// The first records created, and the list filtered to the records created during the import.
    let createdLinks: [Link]
    let hasCreatedLinks: Bool
    let createdList: String?

    init(
        heading: String, base: String, list: String, step: Step, error: String? = nil, run: String? = nil,
        mapping: [Mapping] = [], strict: Bool = false, percent: Int? = nil, report: ImportReport? = nil,
        messages: [String: String] = [:], rejectedRows: String? = nil, createdLinks: [Link] = [],
        createdList: String? = nil, language: Language = .en
    ) {
        // counts as the reader writes numbers (Persian digits on Persian pages)
        func number(_ value: Int) -> String { Numbers.format(value, language) }
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
        self.strict = strict
        self.percent = percent
        self.percentText = percent.map(number)
        self.refresh = step == .progress ? 1 : nil
        self.hasReport = report != nil
        self.created = number(report?.created ?? 0)
        self.updated = number(report?.updated ?? 0)
        self.unchanged = number(report?.unchanged ?? 0)
        self.rejected = number(report?.rejected ?? 0)
        self.duplicates = number(report?.duplicates ?? 0)
        self.skipped = number(report?.skipped ?? 0)
        self.companiesCreated = number(report?.companiesCreated ?? 0)
        self.hasErrors = !(report?.errors.isEmpty ?? true)
        self.errors =
            (report?.errors.prefix(100)).map {
                $0.map { error in
                    let message =
                        error.duplicateOf.map { row in
                            (messages["import_duplicate_of"] ?? "Duplicate of row {row}.").replacingOccurrences(
                                of: "{row}", with: number(row))
                        } ?? error.issue.map { Pages.translate($0, messages) } ?? error.message
                    return Problem(row: number(error.row), column: error.column, message: message)
                }
            } ?? []
        self.rejectedRows = (report.map { $0.rejected + $0.duplicates > 0 } ?? false) ? rejectedRows : nil
        self.createdLinks = createdLinks
        self.hasCreatedLinks = !createdLinks.isEmpty
        self.createdList = createdList
    }
}

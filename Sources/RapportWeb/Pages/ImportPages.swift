import Foundation
import Hummingbird
import RapportAPI
import RapportCore
import RapportStore

/// The import wizard: upload a CSV file, see what it would do (mapping, counts, errors), import it,
/// see the report. Uploads wait in a folder named by workspace, user and a random id, so one user's
/// upload can only be run by that user.
struct ImportPages: Sendable {
    let services: Services
    let pages: Pages
    let schema: RecordSchema
    var base: String { "/\(schema.object)/import" }
    static let uploadLimit: Int64 = 512 << 20

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(base), use: start)
        group.post(RouterPath(base), use: upload)
        group.post(RouterPath("\(base)/:upload/run"), use: run)
    }

    static var folder: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("rapport-uploads", isDirectory: true)
    }

    func file(_ principal: Principal, upload: String) throws -> URL {
        guard RecordID.isWellFormed(upload) else { throw RapportError.notFound("The upload") }
        return Self.folder.appendingPathComponent(
            "\(principal.workspace.id)-\(principal.user.id)-\(upload.lowercased()).csv")
    }

    func importer(_ principal: Principal, dryRun: Bool, strict: Bool) -> Importer {
        Importer(
            services, schema: schema, workspaceID: principal.workspace.id, actor: Actor(.user, id: principal.user.id),
            options: Importer.Options(dryRun: dryRun, strict: strict))
    }

    func render(_ data: [String: Any], request: Request, context: AppContext, status: HTTPResponse.Status = .ok)
        -> Response
    {
        var values = data
        values["base"] = base
        values["list"] = "/\(schema.object)"
        values["is_contacts"] = schema.object == "contacts"
        return pages.render(
            "records/import", values, request: request, context: context, status: status, title: "import")
    }

    @Sendable func start(_ request: Request, context: AppContext) async throws -> Response {
        render(["step_upload": true], request: request, context: context)
    }

    /// Saves the upload, checks it (a dry run) and shows what importing it would do.
    @Sendable func upload(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let upload = RecordID.make()
        let file = try file(principal, upload: upload)
        do {
            try await Upload.save(request, to: file, limit: Self.uploadLimit)
            let report = try await importer(principal, dryRun: true, strict: false).run(file: file)
            let messages = pages.catalog.table(principal.user.language)
            return render(
                [
                    "step_preview": true, "run": "\(base)/\(upload)/run",
                    "mapping": try await mapping(file, principal: principal, messages: messages),
                ].merging(Self.values(report)) { _, new in new }, request: request, context: context)
        } catch let error as RapportError where error.code == .invalid || error.code == .tooLarge {
            try? FileManager.default.removeItem(at: file)
            return render(
                ["step_upload": true, "error": error.fields.first?.message ?? error.detail], request: request,
                context: context,
                status: error.code.status)
        }
    }

    /// Imports a checked upload and shows the report.
    @Sendable func run(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let file = try file(principal, upload: try context.parameters.require("upload"))
        guard FileManager.default.fileExists(atPath: file.path) else { throw RapportError.notFound("The upload") }
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            let report = try await importer(principal, dryRun: false, strict: form["strict"] == "on").run(file: file)
            return render(
                ["step_report": true].merging(Self.values(report)) { _, new in new }, request: request, context: context
            )
        } catch let error as RapportError where error.code == .invalid {
            return render(
                ["step_upload": true, "error": error.detail], request: request, context: context,
                status: .unprocessableContent)
        }
    }

    /// Column → field, as the file's header maps.
    func mapping(_ file: URL, principal: Principal, messages: [String: String]) async throws -> [[String: String]] {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var reader = CSVReader()
        var header: [String] = []
        while header.isEmpty, let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            header = (try? reader.read(chunk))?.first?.fields ?? []
        }
        let definitions = try await RecordService(services, schema: schema).customFields(
            workspaceID: principal.workspace.id)
        let targets =
            (try? ImportMapping.automatic(headers: header, schema: schema, customFields: definitions).targets) ?? [:]
        return header.enumerated().map { index, column in
            let field: String
            switch targets[index] {
            case .id?: field = "id"
            case .field(let name)?: field = messages["field_\(name)"] ?? name
            case .custom(let key)?: field = "custom.\(key)"
            case .companyName?: field = messages["field_company_id"] ?? "company"
            case nil: field = messages["import_ignored"] ?? "—"
            }
            return ["column": column, "field": field]
        }
    }

    static func values(_ report: ImportReport) -> [String: Any] {
        [
            "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "rejected": report.rejected, "skipped": report.skipped, "companies_created": report.companiesCreated,
            "has_errors": !report.errors.isEmpty,
            "errors": report.errors.prefix(100).map {
                ["row": $0.row, "column": $0.column, "message": $0.message] as [String: Any]
            },
        ]
    }
}

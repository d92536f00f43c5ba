import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The import wizard: upload a CSV file, see what it would do (mapping, counts, errors), import it
/// while a page shows its progress, see the report. Uploads wait in a folder named by workspace, user
/// and a random id, so one user's upload can only be run, and followed, by that user.
struct ImportPages: Sendable {
    let services: Services
    let pages: Pages
    let schema: ObjectType
    let jobs = ImportJobs()
    var base: String { WebPath.list(schema.name, "import") }
    static let uploadLimit: Int64 = 512 << 20

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(base), use: start)
        group.post(RouterPath(base), use: upload)
        group.post(RouterPath(WebPath.runUpload(schema.name, ":upload")), use: run)
        group.get(RouterPath(WebPath.upload(schema.name, ":upload")), use: follow)
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

    /// The wizard's page at `step`.
    func render(
        _ step: ImportView.Step, error: String? = nil, run: String? = nil, mapping: [ImportView.Mapping] = [],
        percent: Int? = nil, report: ImportReport? = nil, request: Request, context: AppContext,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        let view = ImportView(
            heading: messages["import_\(schema.name)"] ?? messages["import"] ?? "Import", base: base,
            list: WebPath.list(schema.name), step: step, error: error, run: run, mapping: mapping, percent: percent,
            report: report)
        return pages.render(view, request: request, context: context, status: status, title: "import")
    }

    @Sendable func start(_ request: Request, context: AppContext) async throws -> Response {
        render(.upload, request: request, context: context)
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
                .preview, run: WebPath.runUpload(schema.name, upload),
                mapping: try await mapping(file, principal: principal, messages: messages), report: report,
                request: request, context: context)
        } catch let error as RapportError where error.code == .invalid || error.code == .tooLarge {
            try? FileManager.default.removeItem(at: file)
            return render(
                .upload, error: error.fields.first?.message ?? error.detail, request: request, context: context,
                status: error.code.status)
        }
    }

    /// Starts importing a checked upload and sends the browser to its progress page.
    @Sendable func run(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let upload = try context.parameters.require("upload").lowercased()
        let file = try file(principal, upload: upload)
        guard FileManager.default.fileExists(atPath: file.path), jobs.start(upload, owner: principal.user.id)
        else { throw RapportError.notFound("The upload") }
        let importer = importer(principal, dryRun: false, strict: form["strict"] == "on")
        let total = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64) ?? 0
        let jobs = self.jobs
        Task {
            defer { try? FileManager.default.removeItem(at: file) }
            do {
                let report = try await importer.run(file: file) { bytes in
                    jobs.update(upload) { $0.percent = total > 0 ? Int(min(99, bytes * 100 / total)) : 0 }
                }
                jobs.update(upload) { $0.outcome = .success(report) }
            } catch let error as RapportError {
                jobs.update(upload) { $0.outcome = .failure(error) }
            } catch {
                let stopped = RapportError(
                    .badRequest,
                    "The import stopped before the end. The batches written so far are kept; importing the file again completes it."
                )
                jobs.update(upload) { $0.outcome = .failure(stopped) }
            }
        }
        return Response(status: .seeOther, headers: [.location: WebPath.upload(schema.name, upload)])
    }

    /// The import's progress while it runs (the page reloads itself every second), then its report.
    @Sendable func follow(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let upload = try context.parameters.require("upload").lowercased()
        guard let job = jobs.status(upload, owner: principal.user.id) else {
            throw RapportError.notFound("The import")
        }
        switch job.outcome {
        case nil:
            return render(.progress, percent: job.percent, request: request, context: context)
        case .success(let report)?:
            jobs.finish(upload)
            return render(.report, report: report, request: request, context: context)
        case .failure(let error)?:
            jobs.finish(upload)
            return render(
                .upload, error: error.detail, request: request, context: context,
                status: error.code == .invalid ? .unprocessableContent : .ok)
        }
    }

    /// Column → field, as the file's header maps.
    func mapping(_ file: URL, principal: Principal, messages: [String: String]) async throws -> [ImportView.Mapping] {
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
            case .referenceName(let name)?: field = messages["field_\(name)"] ?? name
            case nil: field = messages["import_ignored"] ?? "—"
            }
            return ImportView.Mapping(column: column, field: field)
        }
    }
}

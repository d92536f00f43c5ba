import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The import wizard: upload a CSV file, see what it would do (the mapping, which can be changed and
/// checked again, counts, errors), import it while a page shows its progress, see the report (kept an
/// hour, with the rejected rows as CSV and links to the records created). Uploads wait in a folder named
/// by workspace, user and a random id, so one user's upload can only be run, and followed, by that user.
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
        group.get(RouterPath(WebPath.rejectedRows(schema.name, ":upload")), use: rejectedRows)
    }

    static var folder: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("rapport-uploads", isDirectory: true)
    }

    func file(_ principal: Principal, upload: String, suffix: String = "") throws -> URL {
        guard RecordID.isWellFormed(upload) else { throw RapportError.notFound("The upload") }
        return Self.folder.appendingPathComponent(
            "\(principal.workspace.id)-\(principal.user.id)-\(upload.lowercased())\(suffix).csv")
    }

    /// The file of an upload's rejected and duplicate rows (of its last check, then of its import).
    func rejectsFile(_ principal: Principal, upload: String) throws -> URL {
        try file(principal, upload: upload, suffix: "-rejected")
    }

    func importer(
        _ principal: Principal, dryRun: Bool, strict: Bool, columns: [Int: String]?, rejectedRows: URL?
    ) -> Importer {
        Importer(
            services, schema: schema, viewer: principal.viewer, actor: Actor(.user, id: principal.user.id),
            options: Importer.Options(dryRun: dryRun, strict: strict, columns: columns, rejectedRows: rejectedRows))
    }

    func messages(_ request: Request, _ context: AppContext) -> [String: String] {
        pages.catalog.table(Pages.language(request, context))
    }

    /// The wizard's page at `step`.
    func render(
        _ step: ImportView.Step, error: String? = nil, upload: String? = nil, mapping: [ImportView.Mapping] = [],
        strict: Bool = false, percent: Int? = nil, report: ImportReport? = nil, request: Request,
        context: AppContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        let messages = messages(request, context)
        var createdList: String?
        if step == .report, let range = report?.createdBetween {
            // (the times are cut to milliseconds: the upper bound is rounded up)
            let from = Timestamp.rfc3339(range.lowerBound)
            let to = Timestamp.rfc3339(range.upperBound + 999)
            createdList = WebPath.list(schema.name) + "?created_at%5Bgte%5D=\(from)&created_at%5Blte%5D=\(to)"
        }
        let view = ImportView(
            heading: messages["import_\(schema.name)"] ?? messages["import"] ?? "Import", base: base,
            list: WebPath.list(schema.name), step: step, error: error,
            run: upload.map { WebPath.runUpload(schema.name, $0) }, mapping: mapping, strict: strict,
            percent: percent, report: report, messages: messages,
            rejectedRows: upload.map { WebPath.rejectedRows(schema.name, $0) },
            createdLinks: step == .report
                ? (report?.createdRecords ?? []).map {
                    ImportView.Link(href: WebPath.record(schema.name, $0.id), title: $0.title)
                } : [],
            createdList: createdList, language: Pages.language(request, context))
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
        let rejects = try rejectsFile(principal, upload: upload)
        do {
            try await Upload.save(request, to: file, limit: Self.uploadLimit)
            let report = try await importer(
                principal, dryRun: true, strict: false, columns: nil, rejectedRows: rejects
            ).run(file: file)
            let (headers, sample) = try Self.head(of: file)
            let definitions = try await customFields(principal)
            let targets =
                (try? ImportMapping.automatic(headers: headers, schema: schema, customFields: definitions).targets)
                ?? [:]
            return render(
                .preview, upload: upload,
                mapping: mapping(
                    headers, sample: sample, chosen: targets.mapValues(\.name), definitions: definitions,
                    messages: messages(request, context)),
                report: report, request: request, context: context)
        } catch let error as RapportError where error.code == .invalid || error.code == .tooLarge {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: rejects)
            return render(
                .upload, error: error.fields.first?.message ?? error.detail, request: request, context: context,
                status: error.code.status)
        }
    }

    /// With `action=check`, checks the upload again with the mapping chosen in the form; otherwise starts
    /// importing it (with that mapping) and sends the browser to its progress page.
    @Sendable func run(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let upload = try context.parameters.require("upload").lowercased()
        let file = try file(principal, upload: upload)
        let rejects = try rejectsFile(principal, upload: upload)
        guard FileManager.default.fileExists(atPath: file.path) else { throw RapportError.notFound("The upload") }
        let strict = form["strict"] == "on"
        let messages = messages(request, context)
        // The mapping the form chose, column by column; none (an older form) means the automatic one.
        var columns: [Int: String]?
        if form["mapping"] == "explicit" {
            var chosen: [Int: String] = [:]
            for (name, value) in form where name.hasPrefix("map_") {
                if let index = Int(name.dropFirst(4)) { chosen[index] = value }
            }
            columns = chosen
        }
        if let columns {
            let (headers, sample) = try Self.head(of: file)
            let definitions = try await customFields(principal)
            let view = mapping(
                headers, sample: sample, chosen: columns, definitions: definitions, messages: messages)
            if let problem = check(columns, headers: headers, definitions: definitions, messages: messages) {
                return render(
                    .preview, error: problem, upload: upload, mapping: view, strict: strict, request: request,
                    context: context, status: .unprocessableContent)
            }
            if form["action"] == "check" {
                let report = try await importer(
                    principal, dryRun: true, strict: false, columns: columns, rejectedRows: rejects
                ).run(file: file)
                return render(
                    .preview, upload: upload, mapping: view, strict: strict, report: report, request: request,
                    context: context)
            }
        }
        guard jobs.start(upload, owner: principal.user.id, rejectedRows: rejects) else {
            throw RapportError.notFound("The upload")
        }
        let importer = importer(principal, dryRun: false, strict: strict, columns: columns, rejectedRows: rejects)
        let total = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64) ?? 0
        let jobs = self.jobs
        Task {
            defer { try? FileManager.default.removeItem(at: file) }
            do {
                let report = try await importer.run(file: file) { bytes in
                    jobs.update(upload) { $0.percent = total > 0 ? Int(min(99, bytes * 100 / total)) : 0 }
                }
                jobs.finish(upload, .success(report))
            } catch let error as RapportError {
                jobs.finish(upload, .failure(error))
            } catch {
                let stopped = RapportError(
                    .badRequest,
                    "The import stopped before the end. The batches written so far are kept; importing the file again completes it."
                )
                jobs.finish(upload, .failure(stopped))
            }
        }
        return Response(status: .seeOther, headers: [.location: WebPath.upload(schema.name, upload)])
    }

    /// The import's progress while it runs (the page reloads itself every second), then its report, which
    /// stays at this address for an hour.
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
            return render(.report, upload: upload, report: report, request: request, context: context)
        case .failure(let error)?:
            return render(
                .upload, error: error.detail, request: request, context: context,
                status: error.code == .invalid ? .unprocessableContent : .ok)
        }
    }

    /// The rejected and duplicate rows of the upload's import (or of its last check), as CSV: the file's
    /// header and cells, plus the reason.
    @Sendable func rejectedRows(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let upload = try context.parameters.require("upload").lowercased()
        let file = try rejectsFile(principal, upload: upload)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw RapportError.notFound("The rejected rows")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(schema.name)-rejected-rows.csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func customFields(_ principal: Principal) async throws -> [CustomFieldDefinition] {
        try await RecordService(services, schema: schema).customFields(workspaceID: principal.workspace.id)
    }

    /// The file's header and its first data row.
    static func head(of file: URL) throws -> (headers: [String], sample: [String]) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var reader = CSVReader()
        var records: [CSVReader.Record] = []
        while records.count < 2, let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            records += (try? reader.read(chunk)) ?? []
        }
        if records.count < 2 { records += (try? reader.finish()) ?? [] }
        return (records.first?.fields ?? [], records.dropFirst().first?.fields ?? [])
    }

    /// What a person reads for a target.
    func label(_ target: ImportMapping.Target, definitions: [CustomFieldDefinition], messages: [String: String])
        -> String
    {
        switch target {
        case .id: messages["import_target_id"] ?? "Rapport id"
        case .field(let name), .referenceName(let name):
            messages["field_\(name)"] ?? name.replacingOccurrences(of: "_", with: " ").capitalized
        case .custom(let key): definitions.first { $0.key == key }?.label ?? key
        case .phoneType: messages["import_target_phone_type"] ?? "Phone type"
        case .note: messages["import_target_note"] ?? "Note on the timeline"
        }
    }

    /// A picker per column: "ignore", then every target, `chosen` selected.
    func mapping(
        _ headers: [String], sample: [String], chosen: [Int: String], definitions: [CustomFieldDefinition],
        messages: [String: String]
    ) -> [ImportView.Mapping] {
        let targets = ImportMapping.targets(schema: schema, customFields: definitions).map {
            (name: $0.name, label: label($0, definitions: definitions, messages: messages))
        }
        return headers.enumerated().map { index, column in
            let selected = chosen[index] ?? "-"
            let options =
                [Option(value: "-", label: messages["import_ignore_column"] ?? "Ignore", selected: selected == "-")]
                + targets.map { Option(value: $0.name, label: $0.label, selected: $0.name == selected) }
            let value = index < sample.count ? sample[index].trimmed() : ""
            return ImportView.Mapping(
                index: index, column: column, sample: value.isEmpty ? nil : String(value.prefix(80)), options: options)
        }
    }

    /// Why a chosen mapping cannot be used, in the reader's language: a target that does not exist, or a
    /// field chosen for two columns. (The importer refuses both too.)
    func check(
        _ columns: [Int: String], headers: [String], definitions: [CustomFieldDefinition], messages: [String: String]
    ) -> String? {
        var problems: [String] = []
        var chosenBy: [String: Int] = [:]
        for index in columns.keys.sorted() {
            let wanted = columns[index] ?? ""
            if wanted.isEmpty || wanted == "-" { continue }
            let column = index < headers.count ? headers[index] : String(index + 1)
            guard let target = ImportMapping.target(named: wanted, schema: schema, customFields: definitions),
                index < headers.count
            else {
                problems.append(
                    (messages["import_map_unknown"] ?? "Column “{column}”: there is no field “{field}”.")
                        .replacingOccurrences(of: "{column}", with: column)
                        .replacingOccurrences(of: "{field}", with: wanted))
                continue
            }
            var slot = target.name
            if case .referenceName(let field) = target { slot = field }
            if let earlier = chosenBy[slot] {
                problems.append(
                    (messages["import_map_twice"]
                        ?? "“{field}” is chosen for two columns, “{first}” and “{second}”; choose it for one only.")
                        .replacingOccurrences(
                            of: "{field}", with: label(target, definitions: definitions, messages: messages)
                        )
                        .replacingOccurrences(of: "{first}", with: headers[earlier])
                        .replacingOccurrences(of: "{second}", with: column))
                continue
            }
            chosenBy[slot] = index
        }
        return problems.isEmpty ? nil : problems.joined(separator: " ")
    }
}

import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → Pipelines: every user reads the pipelines and their stages; owners and admins add a
/// pipeline and change one's stages in a single form (rename, re-weigh, reorder, add, remove with a
/// stage for the deals of removed ones).
struct PipelinePages: Sendable {
    let services: Services
    let pages: Pages
    var pipelines: PipelineService { PipelineService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.pipelines), use: list)
        group.post(RouterPath(WebPath.pipelines), use: create)
        group.post(RouterPath(WebPath.pipeline(":id")), use: update)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try await page(request: request, context: context)
    }

    /// The page, with what a refused form sent (for the pipeline it was about) and why.
    func page(
        request: Request, context: AppContext, failed: (id: String, form: [String: String], errors: [String])? = nil,
        createError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let cards = try await pipelines.all(principal.viewer).map { pipeline -> PipelinesView.Card in
            let form = failed?.id == pipeline.id ? failed?.form : nil
            func kinds(_ selected: String) -> [Option] {
                StageKind.allCases.map {
                    Option(
                        value: $0.rawValue, label: messages["stage_kind_\($0.rawValue)"] ?? $0.rawValue,
                        selected: $0.rawValue == selected)
                }
            }
            var rows = pipeline.stages.enumerated().map { index, stage in
                PipelinesView.Row(
                    index: index, id: stage.id, name: form?["stage.\(index).name"] ?? stage.name,
                    probability: form?["stage.\(index).probability"] ?? String(stage.probability),
                    kinds: kinds(form?["stage.\(index).kind"] ?? stage.kind.rawValue),
                    position: form?["stage.\(index).position"] ?? String(index + 1), isNew: false)
            }
            let extra = pipeline.stages.count
            rows.append(
                PipelinesView.Row(
                    index: extra, id: "", name: form?["stage.\(extra).name"] ?? "",
                    probability: form?["stage.\(extra).probability"] ?? "",
                    kinds: kinds(form?["stage.\(extra).kind"] ?? "open"),
                    position: form?["stage.\(extra).position"] ?? String(extra + 1), isNew: true))
            let errors = failed?.id == pipeline.id ? failed?.errors ?? [] : []
            return PipelinesView.Card(
                id: pipeline.id, name: form?["name"] ?? pipeline.name,
                currency: form?["currency"] ?? pipeline.currency ?? "",
                action: WebPath.pipeline(pipeline.id), rows: rows,
                targets: [Option(value: "", label: "—", selected: false)]
                    + pipeline.stages.filter { $0.kind != .lost }.map {
                        Option(value: $0.id, label: $0.name, selected: $0.id == form?["move_to"])
                    },
                errors: errors, hasErrors: !errors.isEmpty)
        }
        let view = PipelinesView(
            canManage: Access(principal).allows(.managePipelines), pipelines: cards, createAction: WebPath.pipelines,
            createError: createError)
        return pages.render(view, request: request, context: context, status: status, title: "pipelines")
    }

    /// A new pipeline by name, with the stages every workspace starts with.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await pipelines.create(
                principal, name: form["name"] ?? "", currency: form["currency"].flatMap(Currencies.code),
                stages: Pipeline.defaultStages)
        } catch let error as RapportError where error.code == .invalid {
            return try await page(
                request: request, context: context, createError: describe(error, principal: principal),
                status: .unprocessableContent)
        }
        return pages.redirect(WebPath.pipelines, flash: Flash("pipeline_saved"))
    }

    /// A pipeline's name, currency and stages as the form lists them (a stage left empty or marked to be
    /// removed goes; rows are ordered by their position).
    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        var rows: [(position: Double, index: Int, draft: StageDraft)] = []
        var index = 0
        while form["stage.\(index).name"] != nil {
            defer { index += 1 }
            let stageID = form["stage.\(index).id"].flatMap { $0.isEmpty ? nil : $0 }
            let name = (form["stage.\(index).name"] ?? "").trimmingCharacters(in: .whitespaces)
            if form["stage.\(index).remove"] == "true" || (stageID == nil && name.isEmpty) { continue }
            let probability = Int(form["stage.\(index).probability"] ?? "") ?? -1
            let kind = StageKind(rawValue: form["stage.\(index).kind"] ?? "") ?? .open
            rows.append(
                (
                    Double(form["stage.\(index).position"] ?? "") ?? Double(index + 1), index,
                    StageDraft(id: stageID, name: name, probability: probability, kind: kind)
                ))
        }
        let drafts = rows.sorted { ($0.position, $0.index) < ($1.position, $1.index) }.map(\.draft)
        let currency = (form["currency"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            _ = try await pipelines.update(
                principal, id: id, name: form["name"],
                currency: currency.isEmpty
                    ? .some(nil) : Currencies.code(currency).map { .some($0) } ?? .some(currency),
                stages: drafts, moveTo: form["move_to"].flatMap { $0.isEmpty ? nil : $0 })
        } catch let error as RapportError where [.invalid, .conflict, .stale].contains(error.code) {
            return try await page(
                request: request, context: context, failed: (id, form, [describe(error, principal: principal)]),
                status: error.code == .conflict ? .conflict : .unprocessableContent)
        }
        return pages.redirect(WebPath.pipelines, flash: Flash("pipeline_saved"))
    }

    /// What was wrong, in the viewer's language where the catalogue has it.
    func describe(_ error: RapportError, principal: Principal) -> String {
        let messages = pages.catalog.table(principal.user.language)
        guard !error.fields.isEmpty else { return error.detail }
        return error.fields.map { issue in
            issue.key.flatMap { messages["issue_\($0)"] }.map { FieldIssue.fill($0, issue.values) } ?? issue.message
        }.joined(separator: " ")
    }
}

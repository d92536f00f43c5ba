import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The sales pages: a pipeline's kanban board (cards moved by dragging, by keyboard or by a plain form),
/// its funnel and the forecast, each with a server-drawn chart that reads right to left too.
struct SalesPages: Sendable {
    let services: Services
    let pages: Pages
    var pipelines: PipelineService { PipelineService(services) }
    var deals: RecordService { RecordService(services, schema: .deals) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.board), use: board)
        group.post(RouterPath(WebPath.moveDeal), use: move)
        group.get(RouterPath(WebPath.funnel), use: funnel)
        group.get(RouterPath(WebPath.forecast), use: forecast)
    }

    /// The query parameters of a page, first value of each.
    static func query(_ request: Request) -> [String: String] {
        Dictionary(QueryItems.parse(request.uri.query), uniquingKeysWith: { first, _ in first })
    }

    /// The pipeline the page is about: the one asked for, else the first.
    func pipeline(_ query: [String: String], viewer: Viewer) async throws -> (Pipeline, [Pipeline]) {
        let all = try await pipelines.all(viewer)
        guard let first = all.first else { throw RapportError.notFound("The pipeline") }
        let chosen = query["pipeline"].flatMap { id in all.first { $0.id == id } } ?? first
        return (chosen, all)
    }

    func tabs(_ current: String, pipeline: Pipeline, all: [Pipeline], messages: [String: String]) -> SalesTabs {
        let suffix = "?pipeline=\(pipeline.id)"
        return SalesTabs(
            tabs: [
                .init(
                    path: WebPath.board + suffix, label: messages["sales_board"] ?? "Board", current: current == "board"
                ),
                .init(
                    path: WebPath.list(ObjectType.deals.name) + "?pipeline_id=\(pipeline.id)",
                    label: messages["sales_list"] ?? "List", current: false),
                .init(
                    path: WebPath.funnel + suffix, label: messages["sales_funnel"] ?? "Funnel",
                    current: current == "funnel"),
                .init(
                    path: WebPath.forecast + suffix, label: messages["sales_forecast"] ?? "Forecast",
                    current: current == "forecast"),
            ],
            pipelines: all.map { Option(value: $0.id, label: $0.name, selected: $0.id == pipeline.id) },
            hasSeveral: all.count > 1)
    }

    func owners(_ principal: Principal, selected: String?, messages: [String: String]) async throws -> [Option] {
        let users = try await AccountService(services).choices(workspaceID: principal.workspace.id)
        return [Option(value: "", label: messages["sales_everyone"] ?? "Everyone", selected: selected == nil)]
            + users.map { Option(value: $0.id, label: $0.name, selected: $0.id == selected) }
    }

    // MARK: Board

    @Sendable func board(_ request: Request, context: AppContext) async throws -> Response {
        try await boardPage(
            request: request, queryText: request.uri.query, context: context, error: nil)
    }

    /// The board with the filters of `queryText` (the page's own, or those of the board a refused move
    /// came from), and `error` above it.
    func boardPage(
        request: Request, queryText: String?, context: AppContext, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let viewer = principal.viewer
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let query = Dictionary(QueryItems.parse(queryText), uniquingKeysWith: { first, _ in first })
        let (pipeline, all) = try await pipeline(query, viewer: viewer)
        var filters: [ListQuery.Filter] = []
        var issues: [String] = []
        let owner = query["owner_id"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        let team = query["team_id"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        if let owner {
            filters.append(
                .init(
                    target: .standard(name: "owner_id", kind: .reference("users")), op: .equals, value: .string(owner)))
        }
        if let team {
            filters.append(
                .init(target: .standard(name: "team_id", kind: .reference("teams")), op: .equals, value: .string(team)))
        }
        for (key, op) in [("close_from", ListQuery.Operator.gte), ("close_to", .lte)] {
            guard let day = query[key], !day.isEmpty else { continue }
            if RecordPatch.isDate(day) {
                filters.append(
                    .init(target: .standard(name: "expected_close_date", kind: .date), op: op, value: .string(day)))
            } else {
                issues.append(messages["issue_date"] ?? "Must be a date as YYYY-MM-DD.")
            }
        }
        let board = try await pipelines.board(viewer, pipelineID: pipeline.id, filters: filters)
        let allCards = board.columns.flatMap(\.cards)
        let titles = try await deals.referenceTitles(allCards, fields: ["company_id", "owner_id"], viewer: viewer)
        let dates = Dates(viewer: principal.user, messages: messages)
        let back = WebPath.board + (queryText.map { "?\($0)" } ?? "?pipeline=\(pipeline.id)")
        let columns = board.columns.map { column in
            let cards = column.cards.map { record in
                DealBoardView.Card(
                    id: record.id, name: record.string("name") ?? "—",
                    path: WebPath.record(ObjectType.deals.name, record.id),
                    company: record.string("company_id").flatMap { titles["company_id"]?[$0] },
                    amount: record["amount"] == .null
                        ? nil
                        : {
                            if case .number(let amount) = record["amount"] {
                                return Numbers.money(
                                    minorUnits: Int64(amount), code: record.string("currency"), language)
                            }
                            return nil
                        }(),
                    close: record.string("expected_close_date").flatMap(dates.calendarDay),
                    owner: record.string("owner_id").flatMap { titles["owner_id"]?[$0] },
                    stages: pipeline.stages.map {
                        Option(value: $0.id, label: $0.name, selected: $0.id == column.stage.id)
                    })
            }
            var more: String?
            if column.count > column.cards.count {
                more = WebPath.list(ObjectType.deals.name) + "?stage_id=\(column.stage.id)"
            }
            return DealBoardView.Column(
                id: column.stage.id, name: column.stage.name, kind: column.stage.kind.rawValue,
                probability: (messages["sales_probability"] ?? "{percent}%").replacingOccurrences(
                    of: "{percent}", with: Numbers.format(column.stage.probability, language)),
                count: Numbers.format(column.count, language),
                totals: column.totals.map {
                    (
                        Numbers.money(minorUnits: $0.amount, code: $0.currency, language),
                        Numbers.money(minorUnits: $0.weighted, code: $0.currency, language)
                    )
                }, hasTotals: !column.totals.isEmpty, cards: cards, more: more, isLost: column.stage.kind == .lost,
                isWon: column.stage.kind == .won)
        }
        let teams = try await TeamService(services).all(principal)
        let view = DealBoardView(
            tabs: tabs("board", pipeline: pipeline, all: all, messages: messages), pipelineID: pipeline.id,
            owners: try await owners(principal, selected: owner, messages: messages),
            teams: [Option(value: "", label: messages["sales_all_teams"] ?? "All teams", selected: team == nil)]
                + teams.map { Option(value: $0.id, label: $0.name, selected: $0.id == team) },
            closeFrom: query["close_from"] ?? "", closeTo: query["close_to"] ?? "", columns: columns,
            moveAction: WebPath.moveDeal, back: back, error: error ?? issues.first)
        return pages.render(view, request: request, context: context, status: status, title: "sales_board")
    }

    /// A card moved (dragged, or its form sent): the deal goes to the stage, with the reason when lost.
    /// A refused move (lost without a reason, a deal changed meanwhile) shows the board again with why.
    @Sendable func move(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let back = WebPath.returnPath(form["back"]) ?? WebPath.board
        guard let id = form["deal_id"], let stage = form["stage_id"] else {
            throw RapportError.invalid([FieldIssue("stage_id", "This field is required.")])
        }
        let before = try await deals.get(principal.viewer, id: id)
        var patch: [String: JSONValue] = ["stage_id": .string(stage), "pipeline_id": before["pipeline_id"]]
        if let reason = form["lost_reason"], !reason.trimmingCharacters(in: .whitespaces).isEmpty {
            patch["lost_reason"] = .string(reason)
        }
        do {
            _ = try await deals.update(
                principal.viewer, id: id, patch: patch, expectedVersion: nil, actor: Actor(.user, id: principal.user.id)
            )
        } catch let error as RapportError where error.code == .invalid || error.code == .forbidden {
            let messages = pages.catalog.table(principal.user.language)
            let issue = error.fields.first
            let text =
                issue.flatMap { issue in issue.key.flatMap { messages["issue_\($0)"] } } ?? issue?.message
                ?? error.detail
            let queryText = back.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init)
            return try await boardPage(
                request: request, queryText: queryText, context: context,
                error: "\(before.string("name") ?? ""): \(text)",
                status: error.code == .forbidden ? .forbidden : .unprocessableContent)
        }
        return pages.redirect(back, flash: Flash("deal_moved"))
    }

    // MARK: Funnel

    @Sendable func funnel(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let viewer = principal.viewer
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let query = Self.query(request)
        let (pipeline, all) = try await pipeline(query, viewer: viewer)
        let owner = query["owner_id"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        var error: String?
        var window = TimeWindow(from: 0, to: Timestamp.micros(Date()) + 1)
        do {
            window = try TimeWindow.parse(
                from: query["from"].flatMap { $0.isEmpty ? nil : $0 },
                to: query["to"].flatMap { $0.isEmpty ? nil : $0 },
                now: Timestamp.micros(Date()))
        } catch let refusal as RapportError {
            error = refusal.fields.first.flatMap { $0.key.flatMap { messages["issue_\($0)"] } ?? $0.message }
        }
        let funnel = try await pipelines.funnel(
            viewer, pipelineID: pipeline.id, ownerID: owner, from: window.from, to: window.to)
        func percent(_ rate: Double?) -> String {
            rate.map {
                $0.formatted(.percent.precision(.fractionLength(0...1)).locale(Locale(identifier: language.rawValue)))
            }
                ?? "—"
        }
        func days(_ value: Double?) -> String {
            value.map {
                (messages["sales_days"] ?? "{days} d").replacingOccurrences(
                    of: "{days}",
                    with: $0.formatted(
                        .number.precision(.fractionLength(0...2)).locale(Locale(identifier: language.rawValue))))
            } ?? "—"
        }
        let rows = funnel.stages.map {
            FunnelView.Row(
                name: $0.name, entered: Numbers.format($0.entered, language),
                advanced: Numbers.format($0.advanced, language),
                conversion: percent($0.conversionRate), median: days($0.medianDaysInStage),
                mean: days($0.meanDaysInStage))
        }
        let chart = Charts.horizontal(
            funnel.stages.map {
                Charts.Bar(
                    label: $0.name, value: Double($0.entered),
                    text: "\(Numbers.format($0.entered, language)) · \(percent($0.conversionRate))")
            }, title: messages["sales_funnel"] ?? "Funnel", rtl: language.isRightToLeft)
        let view = FunnelView(
            tabs: tabs("funnel", pipeline: pipeline, all: all, messages: messages), pipelineID: pipeline.id,
            from: query["from"] ?? "", to: query["to"] ?? "",
            owners: try await owners(principal, selected: owner, messages: messages), rows: rows, chart: chart,
            won: Numbers.format(funnel.won, language), lost: Numbers.format(funnel.lost, language),
            winRate: percent(funnel.winRate), cycleMedian: days(funnel.cycleDaysMedian),
            cycleMean: days(funnel.cycleDaysMean), error: error)
        return pages.render(view, request: request, context: context, title: "sales_funnel")
    }

    // MARK: Forecast

    @Sendable func forecast(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let viewer = principal.viewer
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let query = Self.query(request)
        let (pipeline, all) = try await pipeline(query, viewer: viewer)
        let grouping = Forecast.Grouping(rawValue: query["group_by"] ?? "month") ?? .month
        var error: String?
        var window = TimeWindow(from: 0, to: .max)
        do {
            window = try TimeWindow.parse(
                from: query["from"].flatMap { $0.isEmpty ? nil : $0 },
                to: query["to"].flatMap { $0.isEmpty ? nil : $0 },
                now: nil)
        } catch let refusal as RapportError {
            error = refusal.fields.first.flatMap { $0.key.flatMap { messages["issue_\($0)"] } ?? $0.message }
        }
        let currency = query["currency"].flatMap(Currencies.code)
        let forecast = try await pipelines.forecast(
            viewer, pipelineID: pipeline.id, currency: currency, grouping: grouping, window: window)
        let names =
            grouping == .owner
            ? try await AccountService(services).names(
                workspaceID: principal.workspace.id, ids: forecast.rows.compactMap(\.key)) : [:]
        func money(_ amount: Int64) -> String { Numbers.money(minorUnits: amount, code: forecast.currency, language) }
        func label(_ key: String?) -> String {
            switch grouping {
            case .month:
                key.map { Self.month($0, language: language) } ?? (messages["sales_no_close_date"] ?? "No date")
            case .owner: key.flatMap { names[$0] } ?? (messages["sales_no_owner"] ?? "Nobody")
            }
        }
        // (a viewer who reads the Persian calendar also sees the Solar Hijri months each Gregorian month spans)
        let persian = principal.user.calendar == .persian
        func row(_ row: Forecast.Row, label: String) -> ForecastView.Row {
            ForecastView.Row(
                label: label,
                otherCalendar: grouping == .month && persian
                    ? row.key.flatMap { Self.solarHijriMonths($0, language: language) } : nil,
                won: money(row.won), weighted: money(row.weighted), bestCase: money(row.bestCase),
                openDeals: Numbers.format(row.openDeals, language))
        }
        let series = [
            Charts.Series(name: messages["forecast_won"] ?? "Won", cssClass: "chart-won"),
            Charts.Series(name: messages["forecast_weighted"] ?? "Weighted", cssClass: "chart-weighted"),
            Charts.Series(name: messages["forecast_best_case"] ?? "Best case", cssClass: "chart-best"),
        ]
        let chart = Charts.columns(
            forecast.rows.map {
                Charts.Group(
                    label: grouping == .month
                        ? $0.key.map { Self.month($0, language: language, short: true) } ?? label(nil) : label($0.key),
                    values: [Double($0.won), Double($0.weighted), Double($0.bestCase)],
                    texts: [money($0.won), money($0.weighted), money($0.bestCase)])
            }, series: series, title: messages["sales_forecast"] ?? "Forecast", rtl: language.isRightToLeft)
        let view = ForecastView(
            tabs: tabs("forecast", pipeline: pipeline, all: all, messages: messages), pipelineID: pipeline.id,
            from: query["from"] ?? "", to: query["to"] ?? "", byMonth: grouping == .month,
            currency: forecast.currency ?? "", rows: forecast.rows.map { row($0, label: label($0.key)) },
            total: forecast.rows.isEmpty ? nil : row(forecast.total, label: messages["forecast_total"] ?? "Total"),
            chart: chart, hasRows: !forecast.rows.isEmpty, error: error)
        return pages.render(view, request: request, context: context, title: "sales_forecast")
    }

    /// `2027-03` as the language names the Gregorian month ("March 2027", "مارس ۲۰۲۷"): the forecast sums
    /// Gregorian months, so its labels name those whatever calendar the viewer reads dates in.
    /// `short` names it as the chart does, under its bars ("Mar 2027").
    static func month(_ key: String, language: Language, short: Bool = false) -> String {
        guard let date = Timestamp.parse(key + "-01T00:00:00Z") else { return key }
        let style = Date.FormatStyle(
            date: .omitted, time: .omitted, locale: Locale(identifier: language.rawValue),
            calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC")!
        ).month(short ? .abbreviated : .wide).year()
        return date.formatted(style)
    }

    /// The Solar Hijri months a Gregorian month `2027-03` overlaps, for a viewer who reads the Persian
    /// calendar ("اسفند ۱۴۰۵ – فروردین ۱۴۰۶", "آبان – آذر ۱۴۰۵"); nil for another key.
    static func solarHijriMonths(_ key: String, language: Language) -> String? {
        guard let first = Timestamp.parse(key + "-01T00:00:00Z") else { return nil }
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        guard let next = gregorian.date(byAdding: .month, value: 1, to: first),
            let last = gregorian.date(byAdding: .day, value: -1, to: next)
        else { return nil }
        let formatter = monthFormatter(.persian, language: language)
        let (start, end) = (formatter.string(from: first), formatter.string(from: last))
        guard start != end else { return start }
        // one year: written once ("آبان – آذر ۱۴۰۵")
        var persian = Calendar(identifier: .persian)
        persian.timeZone = TimeZone(identifier: "UTC")!
        if persian.component(.year, from: first) == persian.component(.year, from: last) {
            formatter.dateFormat = "LLLL"
            return "\(formatter.string(from: first)) – \(end)"
        }
        return "\(start) – \(end)"
    }

    /// A month (its name as it stands alone) and its year, in `calendar` and the language's words and
    /// digits, in UTC: "اسفند ۱۴۰۵".
    static func monthFormatter(_ calendar: Calendar.Identifier, language: Language) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.rawValue)
        formatter.calendar = Calendar(identifier: calendar)
        formatter.timeZone = TimeZone(identifier: "UTC")!
        formatter.dateFormat = "LLLL y"
        return formatter
    }
}

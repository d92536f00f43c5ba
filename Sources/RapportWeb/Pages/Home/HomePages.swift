import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The page a user lands on after signing in.
struct HomePages: Sendable {
    let services: Services
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.home), use: home)
    }

    @Sendable func home(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let now = Timestamp.micros(Date())
        let dates = Dates(viewer: principal.user, messages: messages, now: now)
        // Counts of every object, and the most recently changed records of all of them.
        var counts: [HomeView.Count] = []
        var recent: [(record: Record, type: ObjectType)] = []
        for type in ObjectCatalog.all {
            let service = RecordService(services, schema: type)
            let total = try await service.count(principal.viewer, query: ListQuery())
            counts.append(
                .init(
                    label: messages[type.name] ?? type.name, number: Numbers.format(total, language),
                    path: WebPath.list(type.name)))
            var query = ListQuery()
            query.sort = ListQuery.Sort(target: .time("updated_at"), descending: true)
            let page = try await service.list(principal.viewer, query: query, limit: 8, after: nil)
            recent += page.records.map { ($0, type) }
        }
        recent.sort { $0.record.updatedAt > $1.record.updatedAt }
        // The user's own records of each object that has a home panel (contacts, companies; later tasks,
        // deals and tickets), each with how many there are and a link to all of them.
        var mine: [HomeView.Mine] = []
        for type in ObjectCatalog.all {
            guard let panel = type.homePanel, let query = panel.query(for: principal.user.id, in: type) else { continue }
            let service = RecordService(services, schema: type)
            let total = try await service.count(principal.viewer, query: query)
            let records = try await service.list(principal.viewer, query: query, limit: 5, after: nil).records
            mine.append(
                .init(
                    heading: messages["home_mine_\(type.name)"] ?? "My \(type.name)",
                    count: Numbers.format(total, language),
                    all: type.name == ObjectType.tasks.name
                        ? WebPath.myTasks : WebPath.list(type.name) + "?\(panel.owner)=\(principal.user.id)",
                    rows: records.map { record in
                        // (a panel in order of a time the user sets, such as tasks' due time, shows that time)
                        if case .standard(let name, .dateTime) = panel.sort.target {
                            let time = record.string(name).flatMap(Timestamp.parse).map(Timestamp.micros)
                            return .init(
                                title: type.title(of: record), path: WebPath.record(type.name, record.id),
                                when: time.map(dates.short) ?? "", exact: time.map(dates.exact) ?? "")
                        }
                        return .init(
                            title: type.title(of: record), path: WebPath.record(type.name, record.id),
                            when: dates.relative(record.updatedAt), exact: dates.exact(record.updatedAt))
                    },
                    hasRows: !records.isEmpty))
        }
        let isEmpty = recent.isEmpty
        // What others did to the user's records since the last visit (a visit lasts half an hour).
        let last = try await SavedViewService(services).lastVisit(principal, now: now, lasting: 1_800_000_000)
        let since = last ?? now - 7 * 86_400_000_000
        let events = try await TimelineService(services).watchedChanges(principal, since: since, limit: 10)
        let changes = try await changeRows(events, viewer: principal.viewer, messages: messages, dates: dates)
        // Contacts by lifecycle stage.
        var stageChart: String?
        if case .choice(let stages)? = ObjectType.contacts.field("lifecycle_stage")?.kind, !isEmpty {
            let found = try await RecordService(services, schema: .contacts).counts(
                principal.viewer, by: "lifecycle_stage")
            var byStage: [String: Int] = [:]
            for (value, count) in found { if let value { byStage[value] = count } }
            let bars = stages.compactMap { stage -> BarChart.Bar? in
                guard let count = byStage[stage], count > 0 else { return nil }
                return .init(
                    label: messages["stage_\(stage)"] ?? stage, value: count, text: Numbers.format(count, language),
                    link: WebPath.list(ObjectType.contacts.name) + "?lifecycle_stage=\(stage)")
            }
            if !bars.isEmpty {
                stageChart =
                    BarChart(
                        title: messages["contacts_by_stage"] ?? "Contacts by lifecycle stage", bars: bars,
                        rightToLeft: language.isRightToLeft
                    ).svg
            }
        }
        let view = HomeView(
            userName: principal.user.name, workspaceName: principal.workspace.name, counts: counts,
            stageChart: stageChart,
            recent: recent.prefix(10).map { item in
                .init(
                    title: item.type.title(of: item.record), path: WebPath.record(item.type.name, item.record.id),
                    kind: messages["kind_\(item.type.recordType)"] ?? item.type.recordType,
                    when: dates.relative(item.record.updatedAt), exact: dates.exact(item.record.updatedAt))
            },
            hasRecent: !recent.isEmpty, mine: mine, changes: changes, hasChanges: !changes.isEmpty,
            changesHeading: last.map {
                (messages["home_since_visit"] ?? "Since your last visit ({when})").replacingOccurrences(
                    of: "{when}", with: dates.relative($0))
            } ?? (messages["home_last_week"] ?? "In the last 7 days"),
            firstSteps: [
                .init(
                    label: messages["first_step_import"] ?? "Import contacts", path: WebPath.list("contacts", "import")),
                .init(label: messages["first_step_contact"] ?? "Add a contact", path: WebPath.list("contacts", "new")),
            ]
                + (Access(principal).allows(.manageUsers)
                    ? [.init(label: messages["first_step_invite"] ?? "Invite a teammate", path: WebPath.users)] : []),
            isEmpty: isEmpty)
        return pages.render(view, request: request, context: context, title: "home")
    }

    /// Rows for what others did to the user's records.
    func changeRows(
        _ events: [TimelineEvent], viewer: Viewer, messages: [String: String], dates: Dates
    ) async throws -> [HomeView.Change] {
        var titles: [String: (title: String, path: String)] = [:]
        for type in ObjectCatalog.all {
            guard let column = type.timeline?.column else { continue }
            let ids = events.compactMap { $0.recordID(column: column) }
            guard !ids.isEmpty else { continue }
            for (id, title) in try await RecordService(services, schema: type).titles(
                viewer, ids: ids)
            {
                titles[id] = (title, WebPath.record(type.name, id))
            }
        }
        let actors = try await AccountService(services).names(
            workspaceID: viewer.workspaceID, ids: events.compactMap(\.actor.id))
        return events.compactMap { event in
            let ids = TimelineEvent.subjectColumns.compactMap { event.recordID(column: $0) }
            guard let record = ids.lazy.compactMap({ titles[$0] }).first else { return nil }
            let actor: String? =
                switch event.actor.type {
                case .user, .api: event.actor.id.flatMap { actors[$0] }
                case .import: messages["actor_import"] ?? "Import"
                case .system: messages["actor_system"] ?? "Rapport"
                }
            return .init(
                title: record.title, path: record.path, what: messages["event_\(event.type)"] ?? event.type,
                actor: actor, when: dates.relative(event.occurredAt), exact: dates.exact(event.occurredAt))
        }
    }
}

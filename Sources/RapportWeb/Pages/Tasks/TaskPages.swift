import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// My tasks: the signed-in user's open tasks by when they fall due in their time zone, the quick-add
/// form, and the done box of every task row (on this page and on records' Tasks panels).
struct TaskPages: Sendable {
    let services: Services
    let pages: Pages
    var service: RecordService { RecordService(services, schema: .tasks) }

    /// Tasks done this long ago or less are listed under "Recently done".
    static let recentlyDone: Int64 = 7 * 86_400_000_000

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.myTasks), use: mine)
        group.post(RouterPath(WebPath.myTasks), use: add)
        group.post(RouterPath(WebPath.taskDone(":id")), use: toggle)
    }

    @Sendable func mine(_ request: Request, context: AppContext) async throws -> Response {
        try await page(submitted: nil, errors: [], request: request, context: context)
    }

    /// My tasks, with the quick-add form as it was sent and its errors when it was refused.
    func page(submitted: [String: String]?, errors: [FieldIssue], request: Request, context: AppContext) async throws
        -> Response
    {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let tasks = TaskRows(services: services, user: principal.user, messages: messages)
        let me = principal.user.id
        func mine(done: Bool) -> ListQuery {
            var query = ListQuery()
            query.filters = [
                .init(
                    target: .standard(name: "assignee_id", kind: .reference("users")), op: .equals, value: .string(me)),
                .init(target: .standard(name: "done", kind: .boolean), op: .equals, value: .bool(done)),
            ]
            return query
        }
        var open = mine(done: false)
        open.sort = .init(target: .standard(name: "due_at", kind: .dateTime), descending: false)
        let openTasks = try await service.list(principal.viewer, query: open, limit: 500, after: nil).records
        var done = mine(done: true)
        done.filters.append(
            .init(
                target: .standard(name: "completed_at", kind: .timestamp), op: .gte,
                value: .number(Double(tasks.now - Self.recentlyDone))))
        done.sort = .init(target: .standard(name: "completed_at", kind: .timestamp), descending: true)
        let doneTasks = try await service.list(principal.viewer, query: done, limit: 20, after: nil).records
        let back = WebPath.myTasks
        let rows = try await tasks.rows(
            openTasks + doneTasks, viewer: principal.viewer, back: back, showAssignee: false)
        let openRows = Array(rows.prefix(openTasks.count))
        var grouped: [TaskAgenda: [TaskRowView]] = [:]
        for (record, row) in zip(openTasks, openRows) {
            let due = record.string("due_at").flatMap(Timestamp.parse).map(Timestamp.micros)
            grouped[TaskAgenda.group(dueAt: due, now: tasks.now, timeZone: tasks.timeZone), default: []].append(row)
        }
        let language = principal.user.language
        let view = MyTasksView(
            lead: (messages["my_tasks_lead"] ?? "{zone}").replacingOccurrences(
                of: "{zone}", with: principal.user.timeZone),
            groups: TaskAgenda.allCases.map { group in
                let rows = grouped[group] ?? []
                return .init(
                    key: group.rawValue, heading: messages["tasks_\(group.rawValue)"] ?? group.rawValue,
                    count: Numbers.format(rows.count, language), rows: rows, hasRows: !rows.isEmpty)
            },
            hasOpen: !openTasks.isEmpty, done: Array(rows.dropFirst(openTasks.count)), hasDone: !doneTasks.isEmpty,
            add: tasks.quickAdd(action: WebPath.myTasks, submitted: submitted, errors: errors),
            all: WebPath.list(ObjectType.tasks.name))
        return pages.render(
            view, request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: "my_tasks")
    }

    /// Adds a task from the quick-add form, assigned to the viewer; a refused one shows the page again with
    /// the form as it was sent and its errors, and nothing is written.
    @Sendable func add(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let tasks = TaskRows(services: services, user: principal.user, messages: [:])
        do {
            _ = try await service.create(
                principal.viewer, fields: tasks.fields(from: form), actor: Actor(.user, id: principal.user.id))
        } catch let error as RapportError where error.code == .invalid {
            return try await page(submitted: form, errors: error.fields, request: request, context: context)
        }
        return pages.redirect(WebPath.myTasks, flash: Flash("task_added"))
    }

    /// The done box: marks the task done (`done=true`) or open again, then back to the page it was on.
    @Sendable func toggle(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let done = form["done"] == "true"
        _ = try await service.update(
            principal.viewer, id: id, patch: ["done": .bool(done)], expectedVersion: nil,
            actor: Actor(.user, id: principal.user.id))
        let back = WebPath.returnPath(form["back"]) ?? WebPath.myTasks
        return pages.redirect(back, flash: Flash(done ? "task_done" : "task_reopened"))
    }
}

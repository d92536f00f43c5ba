import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The notification centre: the list behind the bell, marking read, and opening one (which marks it read
/// and leads to its record). Each notification is said in the reader's language from what it was made of;
/// a kind without words of its own here shows its English text.
struct NotificationPages: Sendable {
    let services: Services
    let pages: Pages
    var notifications: NotificationService { NotificationService(services) }

    static let pageSize = 50

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.notifications), use: list)
        group.post(RouterPath(WebPath.readNotifications), use: markRead)
        group.get(RouterPath(WebPath.notification(":id")), use: open)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let dates = Dates(viewer: principal.user, messages: messages)
        let unread = request.uri.queryParameters["unread"] == "true"
        let after = request.uri.queryParameters["after"].flatMap { PageKey(cursor: String($0)) }
        let page = try await notifications.list(principal, unread: unread, limit: Self.pageSize, after: after)
        let actors = try await AccountService(services).names(
            workspaceID: principal.workspace.id, ids: page.items.compactMap(\.actorID))
        let items = page.items.map { notification in
            NotificationsView.Item(
                parts: Self.sentence(notification, actors: actors, messages: messages, dates: dates),
                path: notification.recordID == nil ? nil : WebPath.notification(notification.id),
                unread: notification.readAt == nil,
                when: .init(
                    relative: dates.relative(notification.createdAt), exact: dates.exact(notification.createdAt),
                    datetime: Timestamp.rfc3339(notification.createdAt)),
                readPath: WebPath.readNotifications, id: notification.id)
        }
        let here = unread ? "\(WebPath.notifications)?unread=true" : WebPath.notifications
        let view = NotificationsView(
            items: items, hasItems: !items.isEmpty,
            tabs: [
                .init(label: messages["notifications_all"] ?? "All", path: WebPath.notifications, current: !unread),
                .init(
                    label: messages["notifications_unread_tab"] ?? "Unread",
                    path: "\(WebPath.notifications)?unread=true", current: unread),
            ],
            older: page.next.map { "\(here)\(unread ? "&" : "?")after=\($0.cursor)" },
            newest: after == nil ? nil : here,
            hasUnread: (context.unreadNotifications ?? 0) > 0, readPath: WebPath.readNotifications, back: here,
            empty: (unread ? messages["notifications_none_unread"] : messages["notifications_none"]) ?? "")
        return pages.render(view, request: request, context: context, title: "notifications")
    }

    /// Marks one notification (`id`) or every one (`all=true`) read, then back to the list.
    @Sendable func markRead(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let back = WebPath.returnPath(form["back"]).flatMap { $0.hasPrefix(WebPath.notifications) ? $0 : nil }
        if form["all"] == "true" {
            let count = try await notifications.markAllRead(principal)
            return pages.redirect(back ?? WebPath.notifications, flash: Flash("notifications_read", count: count))
        }
        _ = try await notifications.markRead(principal, ids: form["id"].map { [$0] } ?? [])
        return Pages.redirect(back ?? WebPath.notifications)
    }

    /// Opens a notification: it is read from now on, and the browser goes on to its record.
    @Sendable func open(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let notification = try await notifications.open(principal, id: try context.parameters.require("id"))
        guard let recordType = notification.recordType, let id = notification.recordID,
            let type = ObjectCatalog.all.first(where: { $0.recordType == recordType })
        else { return Pages.redirect(WebPath.notifications) }
        return Pages.redirect(WebPath.record(type.name, id))
    }

    /// A notification as a sentence in the reader's language, from what it was made of; its English text
    /// when this page has no words for its kind.
    /// - Parameter dates: the reader's times (a reminder names the due time in their time zone).
    static func sentence(
        _ notification: UserNotification, actors: [String: String], messages: [String: String], dates: Dates? = nil
    ) -> [NotificationsView.Item.Part] {
        let data = notification.data
        guard case .string(let title)? = data["title"] else { return [.init(text: notification.text, name: false)] }
        let key: String
        var values: [String: (text: String, name: Bool)] = [:]
        switch notification.kind {
        case .mention:
            key = "notification_mention"
        case .ownerChanged where data["owner"] == .bool(true):
            key = "notification_owner_you"
        case .recordChanged, .ownerChanged:
            key = "notification_changed"
            var labels: [String] = []
            if case .array(let fields)? = data["fields"], case .array(let english)? = data["labels"] {
                for (index, field) in fields.enumerated() {
                    guard case .string(let name) = field else { continue }
                    var label = ""
                    if index < english.count, case .string(let text) = english[index] { label = text }
                    labels.append(name.hasPrefix("custom.") ? label : messages["field_\(name)"] ?? label)
                }
            }
            values["fields"] = (list(labels, messages), false)
        case .reminder:
            if case .string(let due)? = data["due_at"], let dates, let time = Timestamp.parse(due) {
                key = "notification_reminder"
                values["when"] = (dates.exact(Timestamp.micros(time)), false)
            } else {
                key = "notification_reminder_undated"
            }
        case .activityAdded:
            guard case .string(let type)? = data["activity"], messages["notification_activity_\(type)"] != nil else {
                return [.init(text: notification.text, name: false)]
            }
            key = "notification_activity_\(type)"
        default:
            return [.init(text: notification.text, name: false)]
        }
        guard let template = messages[key] else { return [.init(text: notification.text, name: false)] }
        values["actor"] = (notification.actorID.flatMap { actors[$0] } ?? messages["actor_system"] ?? "Rapport", true)
        values["record"] = (title, true)
        return fill(template, values)
    }

    /// "Email, Job title and Owner" in the reader's language.
    static func list(_ items: [String], _ messages: [String: String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        let separator = messages["list_separator"] ?? ", "
        let and = messages["list_and"] ?? " and "
        return items.dropLast().joined(separator: separator) + and + items[items.count - 1]
    }

    /// A template's `{name}`s filled, the names isolated as parts of their own.
    static func fill(_ template: String, _ values: [String: (text: String, name: Bool)])
        -> [NotificationsView.Item.Part]
    {
        var parts: [NotificationsView.Item.Part] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = values[name] else {
                parts.append(.init(text: String(rest[...close]), name: false))
                rest = rest[rest.index(after: close)...]
                continue
            }
            if open > rest.startIndex { parts.append(.init(text: String(rest[..<open]), name: false)) }
            parts.append(.init(text: value.text, name: value.name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.init(text: String(rest), name: false)) }
        return parts
    }
}

import Foundation
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/notifications`: the caller's own notifications (mentions, changes to records they follow),
/// how many are unread, and marking them read. Nobody lists or marks anyone else's.
package struct NotificationsController: Sendable {
    let services: Services
    var notifications: NotificationService { NotificationService(services) }

    /// The most ids one request marks.
    static let maximumIDs = 500

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("notifications", use: list)
        api.get("notifications/unread_count", use: unreadCount)
        idempotent.post("notifications/read", use: markRead)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var issues: [FieldIssue] = []
        var unread = false
        switch request.uri.queryParameters["unread"].map(String.init) {
        case nil, "false": break
        case "true": unread = true
        default: issues.append(FieldIssue("unread", "Unread must be true or false."))
        }
        let page: PageRequest
        do {
            page = try PageRequest(request)
        } catch let error as RapportError where error.code == .invalid {
            throw RapportError.invalid(issues + error.fields)
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let found = try await notifications.list(principal, unread: unread, limit: page.limit, after: page.after)
        return try JSONCoding.response(
            ListBody(data: found.items.map(NotificationBody.init), nextCursor: found.next?.cursor))
    }

    @Sendable func unreadCount(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(UnreadCountBody(count: try await notifications.unreadCount(principal)))
    }

    /// `{"ids": [...]}` marks those of the caller's notifications; `{"all": true}` marks every one.
    @Sendable func markRead(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let ids = body.strings("ids")
        var issues = body.issues
        for key in body.members.keys.sorted() where !["ids", "all"].contains(key) {
            issues.append(FieldIssue(key, "This field is not part of the request; send ids or all."))
        }
        var all = false
        switch body.members["all"] {
        case nil: break
        case .bool(true)?: all = true
        case .bool(false)?: issues.append(FieldIssue("all", "All must be true; to mark some, send ids instead."))
        case let other?: issues.append(FieldIssue("all", "Expected true, not \(other.typeName)."))
        }
        let hasIDs = body.members["ids"] != nil
        let hasAll = body.members["all"] != nil
        if hasIDs && hasAll {
            issues.append(FieldIssue("ids", "Send ids or all, not both."))
            issues.append(FieldIssue("all", "Send ids or all, not both."))
        } else if !hasIDs && !hasAll {
            issues.append(FieldIssue("ids", "Send ids (the notifications to mark read) or all: true."))
        }
        if let ids, ids.count > Self.maximumIDs {
            issues.append(FieldIssue("ids", "At most \(Self.maximumIDs) ids at a time."))
        }
        if !issues.isEmpty { throw RapportError.invalid(Self.unique(issues)) }
        let updated =
            all
            ? try await notifications.markAllRead(principal)
            : try await notifications.markRead(principal, ids: ids ?? [])
        return try JSONCoding.response(MarkedReadBody(updated: updated))
    }

    /// One issue per field and message, in the order found.
    static func unique(_ issues: [FieldIssue]) -> [FieldIssue] {
        var seen = Set<String>()
        return issues.filter { seen.insert("\($0.field)\u{0}\($0.message)").inserted }
    }
}

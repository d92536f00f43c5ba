import Foundation
package import RapportCore
import RapportStore
package import SQLKit

/// Notifications: the one way anything tells a user that something happened (a mention, a change to a
/// record they follow, later reminders and SLA breaches), and what a user reads and marks of their own.
///
/// Rules every notification goes through, in `send`: the actor never hears about their own doing, and a
/// notification about a record reaches only recipients who may see that record (`mayNotify`), so a
/// record's name never reaches someone who could not open it. Changes made by an import notify nobody
/// (an import reports on its own page; it may change thousands of records at once).
package struct NotificationService: Sendable {
    let services: Services
    var repository: NotificationRepository { NotificationRepository(store: services.store) }
    var follows: FollowRepository { FollowRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    // MARK: Sending

    /// Whether `recipient` may be told about a record: they are an active user of the workspace, and the
    /// record exists there inside what their role lets them read (its visibility by owner and team).
    /// Every notification about a record (mentions, followers, owners, later reminders and alerts) asks
    /// here, since `send` asks nothing else: a record's name never reaches someone who could not open it.
    /// - Parameter database: the transaction of the change, which sees a record it has just made.
    package func mayNotify(
        recipient: User, object: ObjectType, recordID: String, workspaceID: String,
        on database: (any SQLDatabase)? = nil
    ) async throws -> Bool {
        guard recipient.workspaceID == workspaceID, recipient.deactivatedAt == nil,
            let reach = Viewer(recipient).scopeIfAllowed(.read, on: object)
        else { return false }
        return try await RecordRepository(store: services.store, schema: object).exists(
            table: object.name, reach: reach, id: recordID, on: database ?? services.store.database)
    }

    /// Sends one notification to each recipient who may have it: never to the actor, only to active users
    /// of the workspace, and, about a record, only to those `mayNotify` lets see it. Recipients named twice
    /// get one.
    /// - Parameters:
    ///   - record: what it is about (the object and the record's id); nil for a notification about no record.
    ///   - text: the English summary (see `UserNotification.text`); `data` what it was made from.
    ///   - database: the transaction of the change it is about, so that both are written or neither.
    ///   - id: the notification's id, for one sent to a single recipient by work that may run again (a
    ///     reminder's is its job's id); a new id by default.
    /// - Returns: the ids of the users notified.
    @discardableResult
    package func send(
        _ kind: NotificationKind, to recipients: [String], about record: (object: ObjectType, id: String)?,
        workspaceID: String, actor: Actor, text: String, data: [String: JSONValue] = [:],
        on database: (any SQLDatabase)? = nil, id fixedID: String? = nil
    ) async throws -> [String] {
        let now = Timestamp.micros(Date())
        var notifications: [UserNotification] = []
        var seen = Set<String>()
        for id in recipients where id != actor.id && seen.insert(id).inserted {
            guard let user = try await services.accounts.user(workspaceID: workspaceID, id: id) else { continue }
            if let record {
                guard
                    try await mayNotify(
                        recipient: user, object: record.object, recordID: record.id, workspaceID: workspaceID,
                        on: database)
                else { continue }
            } else if user.deactivatedAt != nil {
                continue
            }
            notifications.append(
                UserNotification(
                    id: notifications.isEmpty ? fixedID ?? RecordID.make() : RecordID.make(),
                    workspaceID: workspaceID, recipientID: id, kind: kind, recordType: record?.object.recordType,
                    recordID: record?.id, actorID: actor.id, text: text, data: data, createdAt: now))
        }
        try await repository.insert(notifications, on: database)
        return notifications.map(\.recipientID)
    }

    // MARK: What records do

    /// After a record is made: its owner follows it, and hears of it when another user made it theirs
    /// (records Rapport makes itself, such as a demo workspace's, tell nobody).
    package func recordCreated(_ record: Record, schema: ObjectType, actor: Actor, on database: any SQLDatabase)
        async throws
    {
        guard actor.type != .import, let owner = record.string(schema.ownerField) else { return }
        try await follows.set(
            following: true, workspaceID: record.workspaceID, userID: owner, object: schema.name, recordID: record.id,
            on: database)
        guard actor.id != nil, owner != actor.id else { return }
        let title = Self.title(of: record, schema: schema)
        let who = try await actorName(actor, workspaceID: record.workspaceID)
        try await send(
            .ownerChanged, to: [owner], about: (schema, record.id), workspaceID: record.workspaceID, actor: actor,
            text: UserNotification.ownerText(actor: who, title: title),
            data: ["title": .string(title), "owner": .bool(true)], on: database)
    }

    /// After a record is changed: its followers but the actor get one notification for the change (not one
    /// per field) naming the changed fields; when the owner changed, the new owner follows the record and
    /// is told it is theirs now.
    package func recordChanged(
        _ record: Record, changes: [FieldChange], schema: ObjectType, actor: Actor, on database: any SQLDatabase
    ) async throws {
        guard actor.type != .import, !changes.isEmpty else { return }
        let workspaceID = record.workspaceID
        let ownerChanged = changes.contains { $0.field == schema.ownerField }
        let newOwner = ownerChanged ? record.string(schema.ownerField) : nil
        if let newOwner {
            try await follows.set(
                following: true, workspaceID: workspaceID, userID: newOwner, object: schema.name, recordID: record.id,
                on: database)
        }
        let shown = changes.filter { $0.field.hasPrefix("custom.") || schema.field($0.field)?.writable == true }
        let followers = try await follows.followerIDs(
            workspaceID: workspaceID, object: schema.name, recordID: record.id, on: database
        ).filter { $0 != actor.id && $0 != newOwner }
        guard !followers.isEmpty || (newOwner != nil && newOwner != actor.id) else { return }
        let title = Self.title(of: record, schema: schema)
        let name = try await actorName(actor, workspaceID: workspaceID)
        if !shown.isEmpty, !followers.isEmpty {
            let labels = try await labels(
                of: shown.map(\.field), schema: schema, workspaceID: workspaceID, on: database)
            try await send(
                ownerChanged ? .ownerChanged : .recordChanged, to: followers, about: (schema, record.id),
                workspaceID: workspaceID, actor: actor,
                text: UserNotification.changedText(actor: name, labels: labels, title: title),
                data: [
                    "title": .string(title), "fields": .array(shown.map { .string($0.field) }),
                    "labels": .array(labels.map(JSONValue.string)),
                ],
                on: database)
        }
        if let newOwner {
            try await send(
                .ownerChanged, to: [newOwner], about: (schema, record.id), workspaceID: workspaceID, actor: actor,
                text: UserNotification.ownerText(actor: name, title: title),
                data: ["title": .string(title), "owner": .bool(true)], on: database)
        }
    }

    /// After a note, call, meeting or email is logged on a record: each user its body mentions who may see
    /// the record is told so and follows the record; the other followers but the actor hear of the
    /// activity; and the actor follows the record they commented on.
    package func activityAdded(
        _ activity: TimelineEvent, on record: Record, schema: ObjectType, actor: Actor, on database: any SQLDatabase
    ) async throws {
        guard actor.type != .import else { return }
        let workspaceID = record.workspaceID
        if let author = actor.id, actor.type == .user || actor.type == .api {
            try await follows.set(
                following: true, workspaceID: workspaceID, userID: author, object: schema.name, recordID: record.id,
                on: database)
        }
        let title = Self.title(of: record, schema: schema)
        var name: String?
        var mentioned: [String] = []
        if case .string(let body)? = activity.data["body"], body.contains("@") {
            let ids = Mentions(users: try await users(workspaceID: workspaceID)).mentioned(in: body)
            if !ids.isEmpty {
                let who = try await actorName(actor, workspaceID: workspaceID)
                name = who
                mentioned = try await send(
                    .mention, to: ids, about: (schema, record.id), workspaceID: workspaceID, actor: actor,
                    text: UserNotification.mentionText(actor: who, title: title),
                    data: ["title": .string(title), "activity": .string(activity.type)], on: database)
                for id in mentioned {
                    try await follows.set(
                        following: true, workspaceID: workspaceID, userID: id, object: schema.name,
                        recordID: record.id, on: database)
                }
            }
        }
        let followers = try await follows.followerIDs(
            workspaceID: workspaceID, object: schema.name, recordID: record.id, on: database
        ).filter { $0 != actor.id && !mentioned.contains($0) }
        guard !followers.isEmpty else { return }
        var who = name ?? ""
        if name == nil { who = try await actorName(actor, workspaceID: workspaceID) }
        try await send(
            .activityAdded, to: followers, about: (schema, record.id), workspaceID: workspaceID, actor: actor,
            text: UserNotification.activityText(actor: who, type: activity.type, title: title),
            data: ["title": .string(title), "activity": .string(activity.type)], on: database)
    }

    /// What a notification calls a record: its title, else its type ("a contact").
    static func title(of record: Record, schema: ObjectType) -> String {
        let title = schema.title(of: record)
        return title.isEmpty ? "a \(schema.recordType)" : title
    }

    /// Who did it, as a notification names them.
    func actorName(_ actor: Actor, workspaceID: String) async throws -> String {
        if let id = actor.id, let user = try await services.accounts.user(workspaceID: workspaceID, id: id) {
            return user.name
        }
        return actor.type == .import ? "An import" : "Rapport"
    }

    /// English labels of changed fields: a custom field's own label, a standard field's made from its name.
    func labels(of fields: [String], schema: ObjectType, workspaceID: String, on database: any SQLDatabase)
        async throws -> [String]
    {
        var custom: [String: String] = [:]
        if fields.contains(where: { $0.hasPrefix("custom.") }) {
            for definition in try await CustomFieldRepository(store: services.store).all(
                workspaceID: workspaceID, object: schema.name, on: database)
            {
                custom["custom.\(definition.key)"] = definition.label
            }
        }
        return fields.map { custom[$0] ?? UserNotification.englishLabel(field: $0) }
    }

    /// Every user of the workspace (to find who a note mentions).
    func users(workspaceID: String) async throws -> [User] {
        var users: [User] = []
        var after: PageKey?
        repeat {
            let page = try await services.accounts.users(workspaceID: workspaceID, limit: 500, after: after)
            users += page.items
            after = page.next
        } while after != nil
        return users
    }

    // MARK: Reading

    /// A page of the user's own notifications, newest first.
    /// - Parameter unread: only those not read yet.
    package func list(_ principal: Principal, unread: Bool = false, limit: Int, after: PageKey?) async throws
        -> Page<UserNotification>
    {
        try await repository.page(
            workspaceID: principal.workspace.id, recipientID: principal.user.id, unread: unread, limit: limit,
            after: after)
    }

    /// How many of the user's notifications are unread (the bell's number).
    package func unreadCount(_ principal: Principal) async throws -> Int {
        try await repository.unreadCount(workspaceID: principal.workspace.id, recipientID: principal.user.id)
    }

    /// Marks some of the user's own notifications read; ids of anyone else's are ignored.
    /// - Returns: how many were unread and are read now.
    package func markRead(_ principal: Principal, ids: [String]) async throws -> Int {
        try await repository.markRead(
            workspaceID: principal.workspace.id, recipientID: principal.user.id,
            ids: ids.filter(RecordID.isWellFormed).map { $0.lowercased() }, at: Timestamp.micros(Date()))
    }

    /// Marks every notification of the user read.
    /// - Returns: how many were unread.
    package func markAllRead(_ principal: Principal) async throws -> Int {
        try await repository.markAllRead(
            workspaceID: principal.workspace.id, recipientID: principal.user.id, at: Timestamp.micros(Date()))
    }

    /// Opens one of the user's notifications: it is read from now on.
    /// - Throws: `notFound` for an id that is not one of theirs.
    package func open(_ principal: Principal, id: String) async throws -> UserNotification {
        guard RecordID.isWellFormed(id),
            var notification = try await repository.notification(
                workspaceID: principal.workspace.id, recipientID: principal.user.id, id: id.lowercased())
        else { throw RapportError.notFound("The notification") }
        if notification.readAt == nil {
            _ = try await markRead(principal, ids: [notification.id])
            notification.readAt = Timestamp.micros(Date())
        }
        return notification
    }
}

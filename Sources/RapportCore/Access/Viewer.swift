/// Who reads or changes records, as the store needs to know it: the workspace, the user (nil for the
/// system: the command line, jobs) and what their role allows. Every record service call takes one.
package struct Viewer: Sendable, Equatable {
    package var workspaceID: String
    /// Nil for the system, which reaches every record.
    package var userID: String?
    package var permissions: Permissions
    /// The user's teams and teammates when known (see `RecordScope.team`).
    package var team: TeamFacts?

    package init(workspaceID: String, userID: String?, permissions: Permissions, team: TeamFacts? = nil) {
        self.workspaceID = workspaceID
        self.userID = userID
        self.permissions = permissions
        self.team = team
    }

    /// A signed-in user, with their role's permissions.
    package init(_ principal: Principal) {
        self.init(
            workspaceID: principal.workspace.id, userID: principal.user.id, permissions: principal.user.permissions,
            team: principal.team)
    }

    /// A user (a mentioned colleague, a follower) as the store sees them.
    package init(_ user: User) {
        self.init(workspaceID: user.workspaceID, userID: user.id, permissions: user.permissions)
    }

    /// The system: every record of the workspace, every action.
    package static func system(_ workspaceID: String) -> Viewer {
        Viewer(workspaceID: workspaceID, userID: nil, permissions: .builtIn(.owner))
    }

    /// Whether this is the system rather than a user.
    package var isSystem: Bool { userID == nil }

    /// The role's rules for an object.
    package func rules(_ type: ObjectType) -> ObjectPermissions {
        isSystem ? .everything : permissions.on(type)
    }

    /// Whether the user may do `action` on some records of the object.
    package func allows(_ action: RecordAction, on type: ObjectType) -> Bool { rules(type).allows(action) }

    /// The records `action` reaches, or nil when the role does not allow it.
    package func scopeIfAllowed(_ action: RecordAction, on type: ObjectType) -> RecordScope? {
        guard let visibility = rules(type).reach(action) else { return nil }
        return RecordScope(workspaceID: workspaceID, visibility: visibility, userID: userID, team: team)
    }

    /// The records `action` reaches.
    /// - Throws: `forbidden` when the role does not allow the action on the object.
    package func scope(_ action: RecordAction, on type: ObjectType) throws -> RecordScope {
        guard let scope = scopeIfAllowed(action, on: type) else { throw Self.refusal(action, on: type) }
        return scope
    }

    /// The fields of an object this user must not see.
    package func hiddenFields(_ type: ObjectType) -> Set<String> { isSystem ? [] : rules(type).hidden }

    /// Passes when the user may write every one of `fields` of the object.
    /// - Throws: `forbidden` naming the first field the role keeps hidden or read-only.
    package func requireWritable(_ fields: some Sequence<String>, on type: ObjectType) throws {
        guard !isSystem else { return }
        let rules = rules(type).fields
        let refused = fields.filter { rules[$0] != nil }.sorted()
        guard let first = refused.first else { return }
        throw RapportError(
            .forbidden, "Your role may not change \(first).",
            fields: refused.map { FieldIssue($0, key: "field_not_writable", "Your role may not change this field.") })
    }

    /// The answer to an action the role does not allow.
    package static func refusal(_ action: RecordAction, on type: ObjectType) -> RapportError {
        RapportError(.forbidden, "Your role does not allow \(action.gerund) \(type.name).")
    }

    /// The answer to a change of a record the user sees but may not change.
    package static func notYours(_ type: ObjectType, _ scope: Visibility) -> RapportError {
        switch scope {
        case .own: RapportError(.forbidden, "Your role changes only the \(type.name) you own.")
        case .team, .all: RapportError(.forbidden, "Your role changes only your team's \(type.name).")
        }
    }
}

extension RecordAction {
    /// `editing`, for messages.
    package var gerund: String {
        switch self {
        case .read: "reading"
        case .create: "creating"
        case .edit: "editing"
        case .delete: "deleting"
        case .export: "exporting"
        case .import: "importing"
        case .merge: "merging"
        }
    }
}

extension Viewer {
    /// The record without the fields the viewer's role hides.
    package func redacted(_ record: Record, _ type: ObjectType) -> Record {
        let hidden = hiddenFields(type)
        guard !hidden.isEmpty else { return record }
        var record = record
        for field in hidden {
            if field.hasPrefix("custom.") {
                record.custom[String(field.dropFirst(7))] = nil
            } else {
                record.values[field] = nil
            }
        }
        return record
    }
}

extension Principal {
    /// The principal as the store sees them: workspace, user and role.
    package var viewer: Viewer { Viewer(self) }
}

import Foundation

/// What a role may do, object by object. Built-in roles decide for every object, those added later
/// included; a workspace's own role decides for the objects it names and allows nothing on the others.
package struct Permissions: Sendable, Equatable {
    /// The rules for the objects the role names.
    package var objects: [String: ObjectPermissions]
    /// The rules for any object it does not name.
    package var otherwise: ObjectPermissions

    package init(objects: [String: ObjectPermissions], otherwise: ObjectPermissions = .nothing) {
        self.objects = objects
        self.otherwise = otherwise
    }

    /// The permissions of a built-in role: owners and admins do everything; members read every record
    /// and change their own.
    package static func builtIn(_ role: Role) -> Permissions {
        switch role {
        case .owner, .admin: Permissions(objects: [:], otherwise: .everything)
        case .member: Permissions(objects: [:], otherwise: .member)
        }
    }

    /// The rules for one object. An object without owners (products) has no `own` or `team`: its
    /// records are all reached, or none.
    package func on(_ type: ObjectType) -> ObjectPermissions {
        var rules = objects[type.name] ?? otherwise
        if !type.isOwned {
            rules.visibility = .all
            rules.editVisibility = .all
        }
        // (an object that imports cannot write what goes with its records: a task's reminder)
        if !type.importable { rules.actions.remove(.import) }
        return rules
    }

    /// Whether some object's records are seen or changed by team (so the user's teams are worth reading
    /// with them).
    package var usesTeams: Bool {
        ObjectCatalog.all.contains { type in
            let rules = on(type)
            return rules.visibility == .team || rules.editVisibility == .team
        }
    }

    /// Whether the role allows anything at all on any object of the catalogue.
    package var grantsAnything: Bool {
        ObjectCatalog.all.contains { !on($0).actions.isEmpty }
    }
}

extension ObjectType {
    /// Whether records of this object have an owner (`ownerField`) and a team (visibility by `own` and
    /// `team` applies).
    package var isOwned: Bool { field(ownerField) != nil && field("team_id") != nil }
}

// MARK: JSON

extension Permissions {
    /// The role's rules as the API shows and stores them: `{"contacts": {"actions": [...], "visibility": ...,
    /// "edit_visibility": ..., "fields": {...}}}`, for every object of the catalogue.
    package var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for type in ObjectCatalog.all {
            let rules = on(type)
            members[type.name] = .object([
                "actions": .array(rules.actions.sorted().map { .string($0.rawValue) }),
                "visibility": .string(rules.visibility.rawValue),
                "edit_visibility": .string(rules.editVisibility.rawValue),
                "fields": .object(rules.fields.mapValues { .string($0.rawValue) }),
            ])
        }
        return .object(members)
    }

    /// Permissions from their JSON, checked against the catalogue and the workspace's custom fields.
    /// - Parameter customFields: each object's custom field keys.
    /// - Throws: `invalid` naming each bad member (`permissions.contacts.visibility`).
    package static func parse(_ value: JSONValue?, customFields: [String: Set<String>]) throws -> Permissions {
        var issues: [FieldIssue] = []
        var objects: [String: ObjectPermissions] = [:]
        guard case .object(let members)? = value else {
            let found = value.map { "not \($0.typeName)" } ?? "it is missing"
            throw RapportError.invalid([
                FieldIssue("permissions", "Expected an object of rules by object name, \(found).")
            ])
        }
        for (name, rulesValue) in members.sorted(by: { $0.key < $1.key }) {
            let path = "permissions.\(name)"
            guard let type = ObjectCatalog.named(name) else {
                issues.append(
                    FieldIssue(path, "Unknown object; one of \(ObjectCatalog.names.joined(separator: ", ")).")
                )
                continue
            }
            guard case .object(let rules) = rulesValue else {
                issues.append(FieldIssue(path, "Expected an object, not \(rulesValue.typeName)."))
                continue
            }
            let parsed = parseObject(rules, type: type, customKeys: customFields[name] ?? [], path: path)
            issues += parsed.issues
            if let permissions = parsed.permissions { objects[name] = permissions }
        }
        let permissions = Permissions(objects: objects)
        if issues.isEmpty && !permissions.grantsAnything {
            issues.append(
                FieldIssue(
                    "permissions", key: "role_allows_nothing", "A role must allow at least one action on some object."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return permissions
    }

    static func parseObject(_ rules: [String: JSONValue], type: ObjectType, customKeys: Set<String>, path: String)
        -> (permissions: ObjectPermissions?, issues: [FieldIssue])
    {
        var issues: [FieldIssue] = []
        for key in rules.keys.sorted() where !["actions", "visibility", "edit_visibility", "fields"].contains(key) {
            issues.append(
                FieldIssue("\(path).\(key)", "Unknown member; use actions, visibility, edit_visibility, fields."))
        }
        var actions: Set<RecordAction> = []
        switch rules["actions"] {
        case .none, .some(.null): break
        case .some(.array(let items)):
            for item in items {
                if case .string(let text) = item, let action = RecordAction(rawValue: text) {
                    actions.insert(action)
                } else {
                    let names = RecordAction.allCases.map(\.rawValue).joined(separator: ", ")
                    issues.append(FieldIssue("\(path).actions", "Unknown action; each is one of \(names)."))
                }
            }
        case .some(let other): issues.append(FieldIssue("\(path).actions", "Expected an array, not \(other.typeName)."))
        }
        if !actions.isEmpty, !actions.contains(.read), !actions.isSubset(of: [.create]) {
            issues.append(
                FieldIssue(
                    "\(path).actions", key: "role_actions_need_read",
                    "Editing, deleting, merging, importing and exporting need read."))
        }
        let visibility = parseVisibility(rules["visibility"], path: "\(path).visibility", issues: &issues) ?? .all
        let editVisibility = parseVisibility(rules["edit_visibility"], path: "\(path).edit_visibility", issues: &issues)
        if let editVisibility, editVisibility > visibility {
            issues.append(
                FieldIssue(
                    "\(path).edit_visibility", key: "role_edit_wider",
                    "A role cannot change records it cannot see; at most {visibility}.",
                    ["visibility": visibility.rawValue]))
        }
        if !type.isOwned, visibility != .all || (editVisibility ?? .all) != .all {
            issues.append(
                FieldIssue("\(path).visibility", "\(type.name.capitalized) have no owner; their visibility is all."))
        }
        var fields: [String: FieldRule] = [:]
        switch rules["fields"] {
        case .none, .some(.null): break
        case .some(.object(let members)):
            for (field, ruleValue) in members.sorted(by: { $0.key < $1.key }) {
                let known =
                    field.hasPrefix("custom.")
                    ? customKeys.contains(String(field.dropFirst(7)))
                    : type.field(field) != nil && !["id", "created_at", "updated_at"].contains(field)
                if !known {
                    issues.append(FieldIssue("\(path).fields.\(field)", "Unknown field of \(type.name)."))
                } else if case .string(let text) = ruleValue, let rule = FieldRule(rawValue: text) {
                    fields[field] = rule
                } else {
                    issues.append(FieldIssue("\(path).fields.\(field)", "Must be hidden or read_only."))
                }
            }
        case .some(let other): issues.append(FieldIssue("\(path).fields", "Expected an object, not \(other.typeName)."))
        }
        guard issues.isEmpty else { return (nil, issues) }
        return (
            ObjectPermissions(actions: actions, visibility: visibility, editVisibility: editVisibility, fields: fields),
            []
        )
    }

    static func parseVisibility(_ value: JSONValue?, path: String, issues: inout [FieldIssue]) -> Visibility? {
        switch value {
        case .none, .some(.null): return nil
        case .some(.string(let text)):
            if let visibility = Visibility(rawValue: text) { return visibility }
            issues.append(FieldIssue(path, "Must be all, team or own."))
        case .some(let other): issues.append(FieldIssue(path, "Expected a string, not \(other.typeName)."))
        }
        return nil
    }

    /// Permissions from the stored JSON of a role (written by `json`); nothing on anything unreadable.
    package static func stored(_ text: String) -> Permissions {
        guard let value = try? JSONText.decode(text), case .object(let members) = value else {
            return Permissions(objects: [:])
        }
        var objects: [String: ObjectPermissions] = [:]
        for (name, rulesValue) in members {
            guard let type = ObjectCatalog.named(name), case .object(let rules) = rulesValue else { continue }
            // (checked when saved; a custom field deleted since keeps its rule harmlessly)
            var customKeys: Set<String> = []
            if case .object(let fieldRules)? = rules["fields"] {
                customKeys = Set(fieldRules.keys.filter { $0.hasPrefix("custom.") }.map { String($0.dropFirst(7)) })
            }
            if let parsed = parseObject(rules, type: type, customKeys: customKeys, path: name).permissions {
                objects[name] = parsed
            }
        }
        return Permissions(objects: objects)
    }
}

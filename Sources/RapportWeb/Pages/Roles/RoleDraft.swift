import Foundation
import RapportCore

/// A role as its form holds it: the name, and for each object of the catalogue the actions ticked, the
/// records it reads and changes, and its rule for each field, as text (what was submitted, or read from
/// a role). The form posts it as the same JSON the API takes, so `Permissions.parse` checks both alike.
struct RoleDraft {
    struct Object {
        var actions: [String]
        var visibility: String
        var editVisibility: String
        /// Field name (`email`, `custom.KEY`) → `hidden` or `read_only`; an open field is absent.
        var fields: [String: String]
    }

    var name: String
    var objects: [String: Object]

    /// A new role's starting point: reading every object's records, nothing else.
    static var new: RoleDraft {
        RoleDraft(
            name: "",
            objects: Dictionary(
                uniqueKeysWithValues: ObjectCatalog.all.map {
                    ($0.name, Object(actions: ["read"], visibility: "all", editVisibility: "all", fields: [:]))
                }))
    }

    /// The form of a stored role (or of a built-in one's permissions).
    init(name: String, permissions: Permissions) {
        self.name = name
        var objects: [String: Object] = [:]
        for type in ObjectCatalog.all {
            let rules = permissions.on(type)
            objects[type.name] = Object(
                actions: rules.actions.sorted().map(\.rawValue), visibility: rules.visibility.rawValue,
                editVisibility: rules.editVisibility.rawValue, fields: rules.fields.mapValues(\.rawValue))
        }
        self.objects = objects
    }

    init(name: String, objects: [String: Object]) {
        self.name = name
        self.objects = objects
    }

    /// What a submitted form says: `OBJECT.actions` (each ticked box), `OBJECT.visibility`,
    /// `OBJECT.edit_visibility`, `OBJECT.fields.FIELD` (empty for an open field).
    init(_ form: FormData) {
        name = form.last["name"] ?? ""
        let last = form.last
        var objects: [String: Object] = [:]
        for type in ObjectCatalog.all {
            let prefix = "\(type.name).fields."
            var fields: [String: String] = [:]
            for (key, value) in last where key.hasPrefix(prefix) && !value.isEmpty {
                fields[String(key.dropFirst(prefix.count))] = value
            }
            objects[type.name] = Object(
                actions: form.all("\(type.name).actions"), visibility: last["\(type.name).visibility"] ?? "all",
                editVisibility: last["\(type.name).edit_visibility"] ?? last["\(type.name).visibility"] ?? "all",
                fields: fields)
        }
        self.objects = objects
    }

    /// The rules as the API takes them (`{"contacts": {"actions": [...], ...}}`): every object is named,
    /// so what is not ticked is not allowed. Objects without owners have no visibility to choose.
    var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for type in ObjectCatalog.all {
            guard let object = objects[type.name] else { continue }
            var rules: [String: JSONValue] = [
                "actions": .array(object.actions.map(JSONValue.string)),
                "fields": .object(object.fields.mapValues(JSONValue.string)),
            ]
            if type.isOwned {
                rules["visibility"] = .string(object.visibility)
                rules["edit_visibility"] = .string(object.editVisibility)
            }
            members[type.name] = .object(rules)
        }
        return .object(members)
    }
}

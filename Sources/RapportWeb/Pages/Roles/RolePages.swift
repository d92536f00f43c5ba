import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → roles: the built-in roles and the workspace's own, each with what it allows on every
/// object; owners and admins make and change roles with a matrix of objects × actions, the records each
/// reads and changes, and a rule for each field, and delete a role nobody holds.
struct RolePages: Sendable {
    let services: Services
    let pages: Pages
    var roles: RoleService { RoleService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.roles), use: index)
        group.post(RouterPath(WebPath.roles), use: create)
        group.get(RouterPath(WebPath.newRole), use: newForm)
        group.get(RouterPath(WebPath.role(":id")), use: editForm)
        group.post(RouterPath(WebPath.role(":id")), use: save)
        group.get(RouterPath(WebPath.deleteRole(":id")), use: confirmDelete)
        group.post(RouterPath(WebPath.deleteRole(":id")), use: delete)
    }

    /// The signed-in user, when they may change roles (the forms are for them only).
    func manager(_ context: AppContext) throws -> Principal {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageRoles)
        return principal
    }

    @Sendable func index(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let canManage = Access(principal).allows(.manageRoles)
        // How many users hold each role (by key), for those who see users; deactivated ones count, as they
        // do when a role is deleted.
        var holders: [String: Int] = [:]
        if Access(principal).allows(.seeUsers) {
            for user in try await AccountService(services).users(of: principal).items {
                holders[user.roleKey, default: 0] += 1
            }
        }
        func row(key: String, name: String, builtIn: Bool, permissions: Permissions) -> RolesView.Row {
            let count = holders[key] ?? 0
            return RolesView.Row(
                name: name, builtIn: builtIn,
                cells: ObjectCatalog.all.map { type in
                    RolesView.Cell(
                        label: messages[type.name] ?? type.name,
                        text: RoleSummary.line(
                            permissions.on(type), owned: type.isOwned, messages: messages, language: language))
                },
                holders: Access(principal).allows(.seeUsers)
                    ? (messages[count == 1 ? "role_holders_one" : "role_holders"] ?? "{count}")
                        .replacingOccurrences(of: "{count}", with: Numbers.format(count, language)) : nil,
                editPath: canManage && !builtIn ? WebPath.role(key) : nil,
                deletePath: canManage && !builtIn ? WebPath.deleteRole(key) : nil)
        }
        let builtIns = Role.allCases.map {
            row(
                key: $0.rawValue, name: messages["role_\($0.rawValue)"] ?? $0.rawValue, builtIn: true,
                permissions: .builtIn($0))
        }
        let custom = try await roles.all(principal).map {
            row(key: $0.id, name: $0.name, builtIn: false, permissions: $0.permissions)
        }
        let view = RolesView(
            objects: ObjectCatalog.all.map { messages[$0.name] ?? $0.name }, builtIn: builtIns, custom: custom,
            hasCustom: !custom.isEmpty, canManage: canManage, showHolders: Access(principal).allows(.seeUsers))
        return pages.render(view, request: request, context: context, title: "roles")
    }

    @Sendable func newForm(_ request: Request, context: AppContext) async throws -> Response {
        _ = try manager(context)
        return try await form(RoleDraft.new, role: nil, errors: [], request: request, context: context)
    }

    @Sendable func editForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let role = try await roles.get(principal, id: try context.parameters.require("id"))
        return try await form(
            RoleDraft(name: role.name, permissions: role.permissions), role: role, errors: [], request: request,
            context: context)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        var request = request
        let draft = RoleDraft(try await Form.readAll(&request))
        do {
            _ = try await roles.create(principal, name: draft.name, permissions: draft.json)
            return pages.redirect(WebPath.roles, flash: Flash("role_created"))
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            return try await form(
                draft, role: nil, errors: Self.issues(error), status: error.code == .conflict ? .conflict : nil,
                request: request, context: context)
        }
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.readAll(&request)
        let draft = RoleDraft(form)
        do {
            _ = try await roles.update(
                principal, id: id, name: draft.name, permissions: draft.json,
                expectedVersion: form.last["version"].flatMap { Int64($0) })
            return pages.redirect(WebPath.roles, flash: Flash("role_saved"))
        } catch let error as RapportError where [.invalid, .conflict, .stale].contains(error.code) {
            return try await self.form(
                draft, role: try await roles.get(principal, id: id), errors: Self.issues(error),
                status: error.code == .conflict ? .conflict : nil, request: request, context: context)
        }
    }

    /// A service error's issues; one without any (a stale version) names the form.
    static func issues(_ error: RapportError) -> [FieldIssue] {
        error.fields.isEmpty ? [FieldIssue("form", error.detail)] : error.fields
    }

    /// The matrix: a row of boxes and the records it reads and changes for each object, and a list of
    /// its fields with their rules; every error beside what it is about.
    func form(
        _ draft: RoleDraft, role: CustomRole?, errors: [FieldIssue], status: HTTPResponse.Status? = nil,
        request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let errorMap = Pages.errorMap(errors, messages)
        var shown: Set<String> = ["name", "form", "permissions"]
        let visibilities = Visibility.allCases.reversed()
        var objects: [RoleFormView.Object] = []
        for type in ObjectCatalog.all {
            let object =
                draft.objects[type.name] ?? .init(actions: [], visibility: "all", editVisibility: "all", fields: [:])
            let label = messages[type.name] ?? type.name
            let path = "permissions.\(type.name)"
            let definitions = try await RecordService(services, schema: type).customFields(
                workspaceID: principal.workspace.id)
            let names =
                type.fields.map { ($0.name, messages["field_\($0.name)"] ?? $0.name) }
                + definitions.map { ("custom.\($0.key)", $0.label) }
            let fields = names.map { name, fieldLabel in
                let current = object.fields[name] ?? ""
                shown.insert("\(path).fields.\(name)")
                return RoleFormView.FieldRow(
                    name: "\(type.name).fields.\(name)", label: fieldLabel,
                    options: [
                        ("", "field_rule_open"), ("hidden", "field_rule_hidden"), ("read_only", "field_rule_read_only"),
                    ]
                    .map { Option(value: $0.0, label: messages[$0.1] ?? $0.0, selected: $0.0 == current) },
                    ruleError: errorMap["\(path).fields.\(name)"])
            }
            let counts = RoleSummary.fieldRuleCounts(
                hidden: object.fields.values.filter { $0 == "hidden" }.count,
                readOnly: object.fields.values.filter { $0 == "read_only" }.count, messages: messages,
                language: principal.user.language)
            for suffix in ["", ".actions", ".visibility", ".edit_visibility", ".fields"] { shown.insert(path + suffix) }
            let fieldErrors = fields.contains { $0.ruleError != nil } || errorMap["\(path).fields"] != nil
            objects.append(
                RoleFormView.Object(
                    name: type.name, label: label,
                    boxes: RecordAction.allCases.map { action in
                        RoleFormView.Box(
                            name: "\(type.name).actions", value: action.rawValue,
                            action: messages["action_\(action.rawValue)"] ?? action.rawValue,
                            label: "\(label): \(messages["action_\(action.rawValue)"] ?? action.rawValue)",
                            checked: object.actions.contains(action.rawValue))
                    },
                    owned: type.isOwned,
                    visibility: visibilities.map {
                        Option(
                            value: $0.rawValue, label: messages["reach_\($0.rawValue)"] ?? $0.rawValue,
                            selected: $0.rawValue == object.visibility)
                    },
                    editVisibility: visibilities.map {
                        Option(
                            value: $0.rawValue, label: messages["reach_\($0.rawValue)"] ?? $0.rawValue,
                            selected: $0.rawValue == object.editVisibility)
                    },
                    objectError: errorMap[path], actionsError: errorMap["\(path).actions"],
                    visibilityError: errorMap["\(path).visibility"],
                    editVisibilityError: errorMap["\(path).edit_visibility"],
                    fields: fields, fieldsError: errorMap["\(path).fields"], fieldsOpen: fieldErrors,
                    fieldsSummary: counts.isEmpty ? nil : counts.joined(separator: " · ")))
        }
        // Anything the form has no place for (only a hand-made request can cause it) goes above it.
        let others = errors.filter { !shown.contains($0.field) }.map { Pages.translate($0, messages) }
        let formError = ([errorMap["form"], errorMap["permissions"]].compactMap { $0 } + others).joined(separator: " ")
        let view = RoleFormView(
            isNew: role == nil, heading: role?.name, name: draft.name,
            action: role.map { WebPath.role($0.id) } ?? WebPath.roles, version: role?.version,
            actions: RecordAction.allCases.map { messages["action_\($0.rawValue)"] ?? $0.rawValue }, objects: objects,
            nameError: errorMap["name"], formError: formError.nonEmpty, hasErrors: !errors.isEmpty,
            deletePath: role.map { WebPath.deleteRole($0.id) })
        return pages.render(
            view, request: request, context: context,
            status: status ?? (errors.isEmpty ? .ok : .unprocessableContent),
            title: role == nil ? "new_role" : "edit_role")
    }

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let role = try await roles.get(principal, id: try context.parameters.require("id"))
        return deletePage(role, error: nil, request: request, context: context)
    }

    func deletePage(_ role: CustomRole, error: String?, request: Request, context: AppContext) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        return pages.render(
            ConfirmDeleteView(
                question: messages["delete_role_question"] ?? "", name: role.name,
                consequence: messages["delete_role_consequence"], path: WebPath.deleteRole(role.id),
                cancel: WebPath.roles, error: error),
            request: request, context: context, status: error == nil ? .ok : .conflict, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let role = try await roles.get(principal, id: try context.parameters.require("id"))
        do {
            try await roles.delete(principal, id: role.id)
        } catch let error as RapportError where error.code == .conflict {
            // Users hold it: say how many, in the viewer's language.
            let messages = pages.catalog.table(principal.user.language)
            let count = error.extras["holders"].flatMap { Int($0) }
            let text = count.map { count in
                (messages[count == 1 ? "role_in_use_one" : "role_in_use"] ?? error.detail).replacingOccurrences(
                    of: "{count}", with: Numbers.format(count, principal.user.language))
            }
            return deletePage(role, error: text ?? error.detail, request: request, context: context)
        }
        return pages.redirect(WebPath.roles, flash: Flash("role_deleted"))
    }
}

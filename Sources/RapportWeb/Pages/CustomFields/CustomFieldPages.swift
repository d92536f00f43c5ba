import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → custom fields: list, create, and delete (with its values, after a confirmation).
struct CustomFieldPages: Sendable {
    let fields: CustomFieldService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.customFields), use: index)
        group.post(RouterPath(WebPath.customFields), use: create)
        group.get(RouterPath(WebPath.editCustomField(":id")), use: editForm)
        group.post(RouterPath(WebPath.editCustomField(":id")), use: edit)
        group.post(RouterPath(WebPath.moveCustomField(":id")), use: move)
        group.get(RouterPath(WebPath.deleteCustomField(":id")), use: confirmDelete)
        group.post(RouterPath(WebPath.deleteCustomField(":id")), use: delete)
    }

    /// The signed-in user, when they may change custom fields (the pages are for them only).
    func manager(_ context: AppContext) throws -> Principal {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageCustomFields)
        return principal
    }

    @Sendable func index(_ request: Request, context: AppContext) async throws -> Response {
        try await page(form: [:], errors: [], request: request, context: context)
    }

    func page(form: [String: String], errors: [FieldIssue], request: Request, context: AppContext) async throws
        -> Response
    {
        let principal = try manager(context)
        let messages = pages.catalog.table(principal.user.language)
        let rows = try await fields.list(principal).map { definition in
            CustomFieldsView.Row(
                label: definition.label, key: definition.key,
                object: messages[definition.object] ?? definition.object,
                type: messages["type_\(definition.type.rawValue)"] ?? definition.type.rawValue,
                options: definition.options.joined(separator: ", "),
                edit: WebPath.editCustomField(definition.id), move: WebPath.moveCustomField(definition.id),
                delete: WebPath.deleteCustomField(definition.id))
        }
        let types = CustomFieldType.allCases.map {
            Option(
                value: $0.rawValue, label: messages["type_\($0.rawValue)"] ?? $0.rawValue,
                selected: form["type"] == $0.rawValue)
        }
        let objects = CustomFieldDefinition.objects.map {
            Option(value: $0, label: messages[$0] ?? $0, selected: form["object"] == $0)
        }
        let view = CustomFieldsView(
            rows: rows, hasRows: !rows.isEmpty, types: types, objects: objects,
            form: .init(label: form["label"], key: form["key"], options: form["options"]),
            errors: Pages.errorMap(errors, messages))
        return pages.render(
            view, request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: "custom_fields")
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        var request = request
        let form = try await Form.read(&request)
        let options = (form["options"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        // Without a key typed, one is made from the label.
        let typed = (form["key"] ?? "").trimmingCharacters(in: .whitespaces)
        let key = typed.isEmpty ? CustomFieldDefinition.key(fromLabel: form["label"] ?? "") : typed
        do {
            _ = try await fields.create(
                principal, object: form["object"], key: key, label: form["label"], type: form["type"],
                options: options)
            return pages.redirect(WebPath.customFields, flash: Flash("custom_field_added"))
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            return try await page(form: form, errors: error.fields, request: request, context: context)
        }
    }

    @Sendable func editForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let definition = try await fields.get(principal, id: try context.parameters.require("id"))
        return editPage(
            definition, label: definition.label, options: definition.options.joined(separator: ", "), errors: [],
            request: request, context: context)
    }

    func editPage(
        _ definition: CustomFieldDefinition, label: String, options: String, errors: [FieldIssue], request: Request,
        context: AppContext
    ) -> Response {
        let messages = pages.catalog.table(Pages.language(request, context))
        let view = CustomFieldEditView(
            key: definition.key, object: messages[definition.object] ?? definition.object,
            type: messages["type_\(definition.type.rawValue)"] ?? definition.type.rawValue, label: label,
            options: options, hasOptions: definition.type == .select || definition.type == .multi_select,
            action: WebPath.editCustomField(definition.id), errors: Pages.errorMap(errors, messages))
        return pages.render(
            view, request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: "edit_custom_field")
    }

    @Sendable func edit(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let options = (form["options"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        do {
            _ = try await fields.edit(principal, id: id, label: form["label"] ?? "", options: options)
            return pages.redirect(WebPath.customFields, flash: Flash("custom_field_saved"))
        } catch let error as RapportError where error.code == .invalid {
            return editPage(
                try await fields.get(principal, id: id), label: form["label"] ?? "", options: form["options"] ?? "",
                errors: error.fields, request: request, context: context)
        }
    }

    /// Moves a custom field up or down: forms and lists show them in this order.
    @Sendable func move(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        var request = request
        let form = try await Form.read(&request)
        try await fields.move(principal, id: try context.parameters.require("id"), up: form["direction"] == "up")
        return Pages.redirect(WebPath.customFields)
    }

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let definition = try await fields.get(principal, id: try context.parameters.require("id"))
        return pages.render(
            CustomFieldDeleteView(label: definition.label, path: WebPath.deleteCustomField(definition.id)),
            request: request, context: context, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let definition = try await fields.get(principal, id: try context.parameters.require("id"))
        try await fields.delete(principal, definition)
        return pages.redirect(WebPath.customFields, flash: Flash("custom_field_deleted"))
    }
}

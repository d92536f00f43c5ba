import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices
import RapportStore

/// Settings → custom fields: list, create, and delete (with its values, after a confirmation).
struct CustomFieldPages: Sendable {
    let services: Services
    let pages: Pages
    var repository: CustomFieldRepository { CustomFieldRepository(store: services.store) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.customFields), use: index)
        group.post(RouterPath(WebPath.customFields), use: create)
        group.get(RouterPath(WebPath.deleteCustomField(":id")), use: confirmDelete)
        group.post(RouterPath(WebPath.deleteCustomField(":id")), use: delete)
    }

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
        let definitions = try await repository.all(workspaceID: principal.workspace.id)
        let rows = definitions.map { definition -> [String: Any] in
            [
                "label": definition.label, "key": definition.key,
                "object": messages[definition.object] ?? definition.object,
                "type": messages["type_\(definition.type.rawValue)"] ?? definition.type.rawValue,
                "options": definition.options.joined(separator: ", "),
                "delete": WebPath.deleteCustomField(definition.id),
            ]
        }
        let types = CustomFieldType.allCases.map {
            [
                "value": $0.rawValue, "label": messages["type_\($0.rawValue)"] ?? $0.rawValue,
                "selected": form["type"] == $0.rawValue,
            ]
                as [String: Any]
        }
        let objects = CustomFieldDefinition.objects.map {
            ["value": $0, "label": messages[$0] ?? $0, "selected": form["object"] == $0] as [String: Any]
        }
        return pages.render(
            "custom_fields",
            [
                "rows": rows, "has_rows": !rows.isEmpty, "types": types, "objects": objects, "form": form,
                "errors": Pages.errorMap(errors),
            ],
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: "custom_fields")
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        var request = request
        let form = try await Form.read(&request)
        let options = (form["options"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        do {
            let valid = try CustomFieldDefinition.validate(
                object: form["object"], key: form["key"], label: form["label"], type: form["type"], options: options)
            try await repository.create(
                CustomFieldDefinition(
                    id: RecordID.make(), workspaceID: principal.workspace.id, object: valid.object, key: valid.key,
                    label: valid.label, type: valid.type, options: valid.options, createdAt: Timestamp.micros(Date())))
            return Pages.redirect(WebPath.customFields)
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            return try await page(form: form, errors: error.fields, request: request, context: context)
        }
    }

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let definition = try await repository.require(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        return pages.render(
            "custom_field_delete",
            ["label": definition.label, "path": WebPath.deleteCustomField(definition.id)],
            request: request, context: context, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let definition = try await repository.require(
            workspaceID: principal.workspace.id, id: try context.parameters.require("id"))
        try await repository.delete(definition)
        return Pages.redirect(WebPath.customFields)
    }
}

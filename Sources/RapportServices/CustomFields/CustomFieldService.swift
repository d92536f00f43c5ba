import Foundation
package import RapportCore
import RapportStore

/// A workspace's custom fields: anyone reads them; owners and admins add, change and remove them.
package struct CustomFieldService: Sendable {
    let repository: CustomFieldRepository

    package init(_ services: Services) {
        self.repository = CustomFieldRepository(store: services.store)
    }

    /// The definitions of one object (or of all), in the order they were made.
    package func list(_ principal: Principal, object: String? = nil) async throws -> [CustomFieldDefinition] {
        try await repository.all(workspaceID: principal.workspace.id, object: object)
    }

    /// One definition of the principal's workspace.
    /// - Throws: `notFound`, also for another workspace's definition.
    package func get(_ principal: Principal, id: String) async throws -> CustomFieldDefinition {
        try await repository.require(workspaceID: principal.workspace.id, id: id)
    }

    /// Adds a custom field.
    /// - Parameter issues: problems the caller already found in what it read (a wrongly typed JSON member);
    ///   they come first, and validation adds those of the other fields.
    /// - Throws: `forbidden` for a member, `invalid`, `conflict` for a key the object already has.
    package func create(
        _ principal: Principal, object: String?, key: String?, label: String?, type: String?, options: [String]?,
        issues: [FieldIssue] = []
    ) async throws -> CustomFieldDefinition {
        try Access(principal).require(.manageCustomFields)
        do {
            let valid = try CustomFieldDefinition.validate(
                object: object, key: key, label: label, type: type, options: options)
            guard issues.isEmpty else { throw RapportError.invalid(issues) }
            let definition = CustomFieldDefinition(
                id: RecordID.make(), workspaceID: principal.workspace.id, object: valid.object, key: valid.key,
                label: valid.label, type: valid.type, options: valid.options, createdAt: Timestamp.micros(Date()))
            try await repository.create(definition)
            return definition
        } catch let error as RapportError where error.code == .invalid {
            let named = Set(issues.map(\.field))
            throw RapportError.invalid(issues + error.fields.filter { !named.contains($0.field) })
        }
    }

    /// Saves a changed label or options (the key, type and object never change).
    /// - Throws: `forbidden` for a member.
    package func update(_ principal: Principal, _ definition: CustomFieldDefinition) async throws {
        try Access(principal).require(.manageCustomFields)
        guard definition.workspaceID == principal.workspace.id else { throw RapportError.notFound("The custom field") }
        try await repository.update(definition)
    }

    /// Changes a custom field's label and options (its key, type and object never change).
    /// - Throws: `forbidden` for a member, `invalid` naming the field.
    package func edit(_ principal: Principal, id: String, label: String, options: [String]) async throws
        -> CustomFieldDefinition
    {
        try Access(principal).require(.manageCustomFields)
        var definition = try await get(principal, id: id)
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        let issues = [
            CustomFieldDefinition.labelIssue(label), CustomFieldDefinition.optionsIssue(options, type: definition.type),
        ].compactMap { $0 }
        guard issues.isEmpty else { throw RapportError.invalid(issues) }
        definition.label = label
        definition.options = options
        try await repository.update(definition)
        return definition
    }

    /// Moves a custom field one place up or down among its object's (forms and lists follow the order).
    /// - Throws: `forbidden` for a member.
    package func move(_ principal: Principal, id: String, up: Bool) async throws {
        try Access(principal).require(.manageCustomFields)
        try await repository.move(try await get(principal, id: id), by: up ? -1 : 1)
    }

    /// Removes a custom field and its values from every record.
    /// - Throws: `forbidden` for a member.
    package func delete(_ principal: Principal, _ definition: CustomFieldDefinition) async throws {
        try Access(principal).require(.manageCustomFields)
        guard definition.workspaceID == principal.workspace.id else { throw RapportError.notFound("The custom field") }
        try await repository.delete(definition)
    }
}

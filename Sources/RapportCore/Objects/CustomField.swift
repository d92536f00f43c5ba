import Foundation

/// The type of a custom field's values.
package enum CustomFieldType: String, Sendable, Codable, CaseIterable {
    case text, number, date, boolean, select, multi_select = "multi_select"

    /// Whether the field has a list of options.
    package var hasOptions: Bool { self == .select || self == .multi_select }
}

/// A workspace's own field on contacts or companies.
package struct CustomFieldDefinition: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    /// `contacts` or `companies`.
    package var object: String
    package var key: String
    package var label: String
    package var type: CustomFieldType
    package var options: [String]
    package var createdAt: Int64

    package init(
        id: String, workspaceID: String, object: String, key: String, label: String, type: CustomFieldType,
        options: [String], createdAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.object = object
        self.key = key
        self.label = label
        self.type = type
        self.options = options
        self.createdAt = createdAt
    }

    /// The objects that have custom fields.
    package static var objects: [String] { ObjectCatalog.names }

    /// Checks a value for this field: the stored value, or the reason it is refused.
    package func check(_ value: JSONValue) -> Result<JSONValue, FieldIssue> {
        let field = "custom.\(key)"
        switch (type, value) {
        case (_, .null):
            return .success(.null)
        case (.text, .string(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count <= 2000, !RecordPatch.hasForbiddenControl(trimmed) else {
                return .failure(
                    FieldIssue(
                        field, key: "custom_text", "Text must be at most 2000 characters, without control characters."))
            }
            return .success(trimmed.isEmpty ? .null : .string(trimmed))
        case (.number, .number(let number)) where number.isFinite:
            return .success(.number(number))
        case (.date, .string(let text)) where RecordPatch.isDate(text):
            return .success(.string(text))
        case (.boolean, .bool(let flag)):
            return .success(.bool(flag))
        case (.select, .string(let option)):
            return options.contains(option)
                ? .success(.string(option))
                : .failure(
                    FieldIssue(
                        field, key: "custom_option", "\"{value}\" is not one of the options: {choices}.",
                        ["value": option, "choices": options.joined(separator: ", ")])
                )
        case (.multi_select, .array(let items)):
            var chosen: [String] = []
            for item in items {
                guard case .string(let option) = item, options.contains(option) else {
                    return .failure(
                        FieldIssue(
                            field, key: "custom_options", "Each value must be one of: {choices}.",
                            ["choices": options.joined(separator: ", ")])
                    )
                }
                if !chosen.contains(option) { chosen.append(option) }
            }
            return .success(chosen.isEmpty ? .null : .array(chosen.map(JSONValue.string)))
        default:
            let expected: String =
                switch type {
                case .text, .select: "a string"
                case .number: "a number"
                case .date: "a date as YYYY-MM-DD"
                case .boolean: "true or false"
                case .multi_select: "an array of options"
                }
            return .failure(
                FieldIssue(
                    field, key: "custom_\(type.rawValue)", "Expected {expected}, not {given}.",
                    ["expected": expected, "given": value.typeName]))
        }
    }

    /// The rules for a new definition's key, label and options.
    package static func validate(
        object: String?, key: String?, label: String?, type: String?, options: [String]?
    ) throws -> (object: String, key: String, label: String, type: CustomFieldType, options: [String]) {
        var issues: [FieldIssue] = []
        let object = object ?? ""
        if !objects.contains(object) {
            issues.append(FieldIssue("object", "Object must be one of \(ObjectCatalog.names.joined(separator: ", "))."))
        }
        let key = key ?? ""
        if key.range(of: "^[a-z][a-z0-9_]{0,62}$", options: .regularExpression) == nil {
            issues.append(
                FieldIssue("key", "Key must start with a letter and use only a-z, 0-9 and _ (at most 63 characters)."))
        }
        let label = (label ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = labelIssue(label) { issues.append(issue) }
        let type = type.flatMap(CustomFieldType.init(rawValue:))
        if type == nil {
            issues.append(FieldIssue("type", "Type must be one of text, number, date, boolean, select, multi_select."))
        }
        let options = options ?? []
        if let issue = optionsIssue(options, type: type) { issues.append(issue) }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return (object, key, label, type!, options)
    }

    /// A key made from a label, written in Latin letters (`Contract tier` → `contract_tier`, `Тип контракту`
    /// → `tip_kontraktu`, `Æble` → `aeble`): lower-case letters, digits and `_`; `field_` and a short code
    /// from the label when nothing Latin is left to start it.
    package static func key(fromLabel label: String) -> String {
        let latin =
            label.applyingTransform(StringTransform("Any-Latin; Latin-ASCII; Lower"), reverse: false)
            ?? label.lowercased()
        var key = ""
        for scalar in latin.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                key.unicodeScalars.append(scalar)
            } else if !key.isEmpty && !key.hasSuffix("_") {
                key += "_"
            }
        }
        while key.hasSuffix("_") { key.removeLast() }
        key = String(key.prefix(40))
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first) else {
            var hash: UInt32 = 2_166_136_261
            for byte in label.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            return "field_" + String(hash, radix: 36) + (key.isEmpty ? "" : "_" + key)
        }
        return key
    }

    package static func labelIssue(_ label: String) -> FieldIssue? {
        label.isEmpty || label.count > 200 || RecordPatch.hasForbiddenControl(label)
            ? FieldIssue("label", "Label must be 1 to 200 characters.") : nil
    }

    package static func optionsIssue(_ options: [String], type: CustomFieldType?) -> FieldIssue? {
        if let type, !type.hasOptions, !options.isEmpty {
            return FieldIssue("options", "Only select and multi_select fields have options.")
        }
        if type?.hasOptions == true, options.isEmpty {
            return FieldIssue("options", "A select field needs at least one option.")
        }
        if Set(options).count != options.count
            || options.contains(where: { $0.isEmpty || $0.count > 100 || RecordPatch.hasForbiddenControl($0) })
        {
            return FieldIssue("options", "Options must be distinct, 1 to 100 characters each.")
        }
        return nil
    }
}

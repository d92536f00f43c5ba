import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// The form that creates or edits a record, and what a submitted form changes.
extension RecordPages {
    /// The form fields for a record (or what was submitted), with their inline errors.
    func form(
        record: Record, submitted: [String: String]?, errors: [FieldIssue], isNew: Bool, request: Request,
        context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = messages(context)
        let errorMap = Pages.errorMap(errors, messages)
        let definitions = try await service.customFields(workspaceID: principal.workspace.id)
        let references = schema.fields.filter { if case .reference = $0.kind { $0.writable } else { false } }
        let titles = try await service.referenceTitles(
            [record], fields: references.map(\.name), viewer: principal.viewer)
        var fields: [RecordFormView.Field] = []
        // What the viewer's role hides is left out; what it keeps read-only reads as text, not an input.
        let rules = principal.viewer.rules(schema).fields
        let dates = Dates(viewer: principal.user, messages: messages)
        // A deal's stage and pipeline are chosen from the workspace's pipelines.
        let pipelines =
            schema.fields.contains { $0.kind == .reference("stages") }
            ? try await PipelineService(services).all(principal.viewer) : []
        let listTitles = try await service.referenceTitles(
            [record],
            fields: schema.fields.filter { if case .referenceList = $0.kind { true } else { false } }.map(\.name),
            viewer: principal.viewer)
        // A deal's amount is its lines' sum while it has lines: shown, not sent.
        let lineField = schema.fields.first { $0.kind == .lineItems && $0.writable && rules[$0.name] == nil }
        let hasLines = lineField.map { field in
            submitted.map { !Self.lineInputs($0, field: field.name).isEmpty }
                ?? !LineItem.lines(of: record[field.name]).isEmpty
        }
        let readsProducts = principal.viewer.allows(.read, on: .products)
        // (a deal's contacts' roles are chosen beside each contact)
        for field in schema.fields where field.writable && rules[field.name] != .hidden && field.name != "contact_roles"
        {
            if rules[field.name] == .readOnly || (field.kind == .lineItems && !readsProducts) {
                let shown = cell(field.name, of: record, titles: titles, messages: messages, dates: dates).value
                fields.append(
                    RecordFormView.Field(
                        name: field.name, label: label(field.name, messages), value: "", error: errorMap[field.name],
                        readOnly: true, display: shown.isEmpty ? "—" : shown))
                continue
            }
            let current =
                submitted?[field.name]
                ?? (field.kind == .dateTime
                    ? dates.localInput(record[field.name]) : formValue(record[field.name], kind: field.kind))
            var item = RecordFormView.Field(
                name: field.name, label: label(field.name, messages), value: current, error: errorMap[field.name],
                hint: messages["hint_\(field.name)"] ?? (isNew ? messages["hint_new_\(field.name)"] : nil))
            switch field.kind {
            case .choice(let choices):
                item.select = true
                item.options = ([""] + choices).map {
                    Option(
                        value: $0,
                        label: $0.isEmpty ? "—" : displayValue(field.name, .string($0), messages),
                        selected: $0 == current)
                }
            case .reference("pipelines"), .reference("stages"):
                item.select = true
                let options: [(String, String)] =
                    field.kind == .reference("pipelines")
                    ? pipelines.map { ($0.id, $0.name) }
                    : pipelines.flatMap { pipeline in
                        pipeline.stages.map { ($0.id, pipelines.count > 1 ? "\(pipeline.name) · \($0.name)" : $0.name) }
                    }
                item.options = ([("", "—")] + options).map {
                    Option(value: $0.0, label: $0.1, selected: $0.0 == current)
                }
            case .referenceList:
                // a row per record, picked by its name or address, with its role where the object keeps roles
                item.plain = false
                item.contacts = contactEditor(
                    field, record: record, submitted: submitted, errors: errorMap,
                    titles: listTitles[field.name] ?? [:],
                    withRoles: field.name == "contact_ids" && schema.field("contact_roles") != nil
                        && rules["contact_roles"] == nil, messages: messages)
            case .lineItems:
                item.plain = false
                item.lines = try await lineEditor(
                    field, record: record, submitted: submitted, errors: errorMap, viewer: principal.viewer,
                    messages: messages, language: principal.user.language)
            case .reference:
                // A picker: the title as text, the chosen id beside it (what a person types is looked up).
                let id = record.string(field.name)
                let title = id.flatMap { titles[field.name]?[$0] } ?? ""
                item.type = "text"
                item.value = submitted?[field.name] ?? title
                item.picker = .init(
                    source: WebPath.pick(object, field: field.name),
                    id: submitted?[Self.pickedID(field.name)] ?? id ?? "",
                    title: submitted?[Self.pickedTitle(field.name)] ?? title,
                    idName: Self.pickedID(field.name), titleName: Self.pickedTitle(field.name))
            case .phones, .stringMap, .emailList:
                item.textarea = true
                item.ltr = true
            case .email:
                item.type = "email"
                item.ltr = true
            case .domain, .currency:
                item.type = "text"
                item.ltr = true
            case .date: item.type = "date"
            case .dateTime:
                // typed and shown in the viewer's time zone, sent as RFC 3339 (`patch(from:)`)
                item.type = "datetime-local"
                item.ltr = true
            case .count, .money:
                item.type = "number"
                if field.name == "amount", hasLines == true {
                    item.disabled = true
                    item.hint = messages["hint_amount_lines"]
                    // (shown as money, as the lines' sum is: the input is not sent)
                    item.type = "text"
                    item.ltr = true
                    let sum = submitted == nil ? LineItem.total(of: record[lineField?.name ?? ""]) : nil
                    item.value =
                        sum.map {
                            Numbers.money(minorUnits: $0, code: record.string("currency"), principal.user.language)
                        } ?? ""
                }
            case .boolean:
                item.select = true
                item.options = ["true", "false"].map {
                    Option(value: $0, label: messages["bool_\($0)"] ?? $0, selected: $0 == current)
                }
            default: item.type = "text"
            }
            if [.country, .timeZone, .languageTag].contains(field.kind) {
                item.ltr = true
                item.suggest = "suggest-\(field.name)"
            }
            fields.append(item)
        }
        for definition in definitions {
            let name = "custom.\(definition.key)"
            switch rules[name] {
            case .hidden?: continue
            case .readOnly?:
                let shown = cell(name, of: record, titles: [:], messages: messages, dates: dates).value
                fields.append(
                    RecordFormView.Field(
                        name: name, label: definition.label, value: "", error: errorMap[name], readOnly: true,
                        display: shown.isEmpty ? "—" : shown))
            case nil:
                fields.append(
                    customField(
                        definition, record: record, submitted: submitted, errors: errorMap, messages: messages))
            }
        }
        let language = principal.user.language
        let suggestions = schema.fields.compactMap { field -> RecordFormView.Suggestions? in
            let options = Suggestions.options(for: field.kind, language: language)
            return options.isEmpty ? nil : .init(id: "suggest-\(field.name)", options: options)
        }
        var view = RecordFormView(
            isNew: isNew, fields: fields, action: isNew ? base : WebPath.record(object, record.id),
            version: record.version, cancel: isNew ? base : WebPath.record(object, record.id),
            formError: errorMap["form"], existing: errorMap["existing"], hasErrors: !errors.isEmpty,
            suggestions: suggestions)
        view.hasRows = fields.contains { !$0.plain && !$0.readOnly }
        return pages.render(
            view, request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: isNew ? "new_\(schema.recordType)" : "edit")
    }

    /// A custom field's input.
    func customField(
        _ definition: CustomFieldDefinition, record: Record, submitted: [String: String]?, errors: [String: String],
        messages: [String: String]
    ) -> RecordFormView.Field {
        let name = "custom.\(definition.key)"
        let shown: String? =
            switch record.custom[definition.key] {
            case .bool(let flag)?: flag ? "true" : "false"
            case let value?: formValue(value, kind: .tags)
            case nil: nil
            }
        let current = submitted?[name] ?? shown ?? ""
        var item = RecordFormView.Field(name: name, label: definition.label, value: current, error: errors[name])
        switch definition.type {
        case .select, .boolean:
            let choices = definition.type == CustomFieldType.boolean ? ["true", "false"] : definition.options
            item.select = true
            item.options = ([""] + choices).map {
                Option(value: $0, label: $0.isEmpty ? "—" : (messages["bool_\($0)"] ?? $0), selected: $0 == current)
            }
        case .number: item.type = "number"
        case .date: item.type = "date"
        case .multi_select:
            item.type = "text"
            item.hint = definition.options.joined(separator: ", ")
        case .text: item.type = "text"
        }
        return item
    }

    /// A stored value as a form field shows it.
    func formValue(_ value: JSONValue, kind: FieldKind) -> String {
        switch (kind, value) {
        case (_, .null): return ""
        case (.boolean, .bool(let flag)): return flag ? "true" : "false"
        case (.phones, .array(let items)):
            return items.compactMap { item -> String? in
                guard case .object(let phone) = item, case .string(let number)? = phone["number"] else { return nil }
                let type = phone["type"].map(Self.display) ?? "other"
                return "\(type): \(number)"
            }.joined(separator: "\n")
        case (.stringMap, .object(let members)):
            return members.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.display($0.value))" }.joined(
                separator: "\n")
        case (.emailList, .array(let items)):
            return items.map(Self.display).joined(separator: "\n")
        default:
            return Self.display(value)
        }
    }

    /// A JSON merge patch from a submitted form: every field the form shows. Times typed in a
    /// `datetime-local` input are read in the viewer's time zone (`dates`).
    func patch(from form: [String: String], definitions: [CustomFieldDefinition], dates: Dates? = nil)
        -> [String: JSONValue]
    {
        var patch: [String: JSONValue] = [:]
        func lines(_ text: String) -> [String] {
            text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        for field in schema.fields where field.writable {
            guard let text = form[field.name] else { continue }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch field.kind {
            case .tags:
                patch[field.name] = .array(
                    trimmed.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }
                        .filter { $0 != .string("") })
            case .emailList:
                patch[field.name] = .array(
                    lines(trimmed.replacingOccurrences(of: ",", with: "\n")).map(JSONValue.string))
            case .phones:
                patch[field.name] = .array(
                    lines(trimmed).map { line in
                        let parts = line.split(separator: ":", maxSplits: 1).map {
                            $0.trimmingCharacters(in: .whitespaces)
                        }
                        if parts.count == 2, Phone.types.contains(parts[0]) {
                            return .object(["type": .string(parts[0]), "number": .string(parts[1])])
                        }
                        return .object(["type": .string("other"), "number": .string(line)])
                    })
            case .referenceList:
                patch[field.name] = .array(lines(trimmed).map(JSONValue.string))
            case .lineItems:
                continue  // (rows, read by the async `patch(from:definitions:viewer:dates:record:)`)
            case .stringMap:
                var map: [String: JSONValue] = [:]
                for line in lines(trimmed) {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 { map[parts[0]] = .string(parts[1]) }
                }
                patch[field.name] = .object(map)
            case .count, .money:
                patch[field.name] =
                    trimmed.isEmpty ? .null : (Double(trimmed).map(JSONValue.number) ?? .string(trimmed))
            case .boolean:
                patch[field.name] = trimmed == "true" ? .bool(true) : trimmed == "false" ? .bool(false) : .null
            case .dateTime:
                patch[field.name] = trimmed.isEmpty ? .null : .string(dates?.moment(local: trimmed) ?? trimmed)
            default:
                patch[field.name] = trimmed.isEmpty ? .null : .string(trimmed)
            }
        }
        var custom: [String: JSONValue] = [:]
        for definition in definitions {
            guard let text = form["custom.\(definition.key)"]?.trimmingCharacters(in: .whitespacesAndNewlines) else {
                continue
            }
            if text.isEmpty { custom[definition.key] = .null; continue }
            switch definition.type {
            case .number: custom[definition.key] = Double(text).map(JSONValue.number) ?? .string(text)
            case .boolean:
                custom[definition.key] = text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
            case .multi_select:
                custom[definition.key] = .array(
                    text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            default: custom[definition.key] = .string(text)
            }
        }
        if !custom.isEmpty { patch["custom"] = .object(custom) }
        return patch
    }
}

extension RecordPages {
    /// The hidden inputs beside a picker: the id chosen, and the title it was chosen by.
    static func pickedID(_ field: String) -> String { "\(field).picked" }
    static func pickedTitle(_ field: String) -> String { "\(field).picked_title" }

    /// The submitted form's changes, with what was typed into pickers turned into ids: the id picked
    /// while the text is still its title, else the record (or user) that the text names.
    /// - Throws: `invalid` naming every picker whose text names nothing, or several things.
    func patch(
        from form: [String: String], definitions: [CustomFieldDefinition], viewer: Viewer, dates: Dates? = nil,
        record: Record? = nil
    ) async throws -> [String: JSONValue] {
        var form = form
        var issues: [FieldIssue] = []
        var extra: [String: JSONValue] = [:]
        for field in schema.fields where field.writable {
            if field.kind == .lineItems, form[field.name] != nil {
                // rows of lines, money as decimals in the record's currency
                let inputs = Self.lineInputs(form, field: field.name)
                let currency = form["currency"].flatMap(Currencies.code) ?? record?.string("currency")
                var prices: [String: (price: Int64, currency: String?)] = [:]
                let unpriced = inputs.filter {
                    Self.asciiNumber($0.unitPrice).isEmpty && RecordID.isWellFormed($0.product)
                }.map(\.product)
                for id in Set(unpriced) {
                    if let product = try? await RecordService(services, schema: .products).get(viewer, id: id),
                        case .number(let price) = product["unit_price"]
                    {
                        prices[id] = (Int64(price), product.string("currency"))
                    }
                }
                let (value, lineIssues) = Self.lines(inputs, field: field.name, currency: currency, prices: prices)
                issues += lineIssues
                extra[field.name] = value
                continue
            }
            if case .referenceList = field.kind, form[field.name] != nil,
                !Self.rowIndices(form, field: field.name).isEmpty
            {
                // a row per record, with its role
                let found = try await contacts(
                    Self.contactInputs(form, field: field.name), field: field.name, viewer: viewer)
                issues += found.issues
                form[field.name] = found.ids.joined(separator: "\n")
                if field.name == "contact_ids", schema.field("contact_roles") != nil,
                    Self.rowIndices(form, field: field.name).contains(where: { form["contact_ids[\($0)].role"] != nil })
                {
                    extra["contact_roles"] = .object(found.roles)
                }
                continue
            }
            if case .referenceList = field.kind, let text = form[field.name] {
                // each line names one record: resolved like a picker's text
                var ids: [String] = []
                for line in text.split(whereSeparator: \.isNewline) {
                    let typed = line.trimmingCharacters(in: .whitespaces)
                    guard !typed.isEmpty else { continue }
                    do {
                        if let id = try await service.resolveReference(field: field.name, text: typed, viewer: viewer) {
                            ids.append(id)
                        }
                    } catch let error as RapportError where error.code == .invalid {
                        issues += error.fields
                    }
                }
                form[field.name] = ids.joined(separator: "\n")
                continue
            }
            guard case .reference = field.kind, let text = form[field.name] else { continue }
            let typed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let picked = form[Self.pickedID(field.name)], RecordID.isWellFormed(picked), !typed.isEmpty,
                typed == form[Self.pickedTitle(field.name)]?.trimmingCharacters(in: .whitespacesAndNewlines)
            {
                form[field.name] = picked
                continue
            }
            do {
                form[field.name] =
                    try await service.resolveReference(field: field.name, text: typed, viewer: viewer) ?? ""
            } catch let error as RapportError where error.code == .invalid {
                issues += error.fields
            }
        }
        guard issues.isEmpty else { throw RapportError.invalid(issues) }
        return patch(from: form, definitions: definitions, dates: dates).merging(extra) { _, new in new }
    }

    /// What a picker offers as a person types: `[{"id", "name", "detail"}]`, at most ten.
    @Sendable func pick(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let field = request.uri.queryParameters["field"].map(String.init) ?? ""
        let text = request.uri.queryParameters["q"].map(String.init) ?? ""
        let choices = try await service.pick(field: field, text: text, viewer: principal.viewer)
        return try JSONCoding.response(choices)
    }
}

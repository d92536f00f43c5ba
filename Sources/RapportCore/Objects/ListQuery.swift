import Foundation

/// A list request's filters and sort, parsed and checked against the object's fields before any SQL:
/// `field=value`, `field[contains]=`, `field[gte]=`, `field[lte]=`, `field[empty]=true|false`,
/// `custom.KEY…`, `sort=field` or `sort=-field`.
package struct ListQuery: Sendable, Equatable {
    /// What a filter or sort refers to.
    package enum Target: Sendable, Equatable {
        case standard(name: String, kind: FieldKind)
        case custom(key: String, type: CustomFieldType)
        /// `created_at` or `updated_at`.
        case time(String)

        package var name: String {
            switch self {
            case .standard(let name, _), .time(let name): name
            case .custom(let key, _): "custom.\(key)"
            }
        }
    }

    package enum Operator: String, Sendable, Equatable, CaseIterable {
        case equals = "eq", contains, gte, lte, empty
    }

    /// A checked filter; `value` is already in the form the column holds.
    package struct Filter: Sendable, Equatable {
        package var target: Target
        package var op: Operator
        package var value: JSONValue

        package init(target: Target, op: Operator, value: JSONValue) {
            self.target = target
            self.op = op
            self.value = value
        }
    }

    package struct Sort: Sendable, Equatable {
        package var target: Target
        package var descending: Bool

        package init(target: Target, descending: Bool) {
            self.target = target
            self.descending = descending
        }
    }

    package init() {}

    /// Why a filter value is refused.
    package struct Refusal: Error {
        package var message: String
        init(_ message: String) { self.message = message }
    }

    package var filters: [Filter] = []
    package var sort = Sort(target: .time("created_at"), descending: true)
    /// "My records" (`own`) or "my team's" (`team`): only the reader's own or their team's records, as
    /// `RecordScope` says it for them, within what their role lets them see; nil for no such narrowing.
    /// Set by the pages' quick filters; the store adds it to the list's conditions.
    package var scope: Visibility?
    /// Only the members of a saved segment (contacts), checked for the reader (`SegmentService`).
    package var segment: SegmentSelection?

    /// Parameters that are not filters.
    package static let reserved: Set<String> = ["limit", "cursor", "sort", "q", "segment_id"]

    /// Parses query parameters.
    /// - Throws: `invalid` naming each unknown field, unknown operator or bad value.
    package static func parse(
        _ parameters: [(name: String, value: String)], schema: ObjectType, customFields: [CustomFieldDefinition]
    ) throws -> ListQuery {
        var query = ListQuery()
        var issues: [FieldIssue] = []
        for (name, value) in parameters where !reserved.contains(name) {
            var fieldName = name
            var op = Operator.equals
            if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
                fieldName = String(name[..<open])
                let opName = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                guard let parsed = Operator(rawValue: opName), parsed != .equals else {
                    issues.append(FieldIssue(name, "Unknown operator \"\(opName)\"; use contains, gte, lte or empty."))
                    continue
                }
                op = parsed
            }
            guard let target = target(fieldName, schema: schema, customFields: customFields) else {
                issues.append(FieldIssue(fieldName, "Unknown field."))
                continue
            }
            switch check(op, value, for: target) {
            case .success(let checked): query.filters.append(Filter(target: target, op: op, value: checked))
            case .failure(let refusal): issues.append(FieldIssue(name, refusal.message))
            }
        }
        if let text = parameters.last(where: { $0.name == "sort" })?.value {
            let descending = text.hasPrefix("-")
            let fieldName = descending ? String(text.dropFirst()) : text
            if let target = target(fieldName, schema: schema, customFields: customFields), isSortable(target) {
                query.sort = Sort(target: target, descending: descending)
            } else {
                issues.append(FieldIssue("sort", "Cannot sort by \"\(fieldName)\"."))
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return query
    }

    static func target(_ name: String, schema: ObjectType, customFields: [CustomFieldDefinition]) -> Target? {
        if name == "created_at" || name == "updated_at" { return .time(name) }
        if name.hasPrefix("custom.") {
            let key = String(name.dropFirst("custom.".count))
            return customFields.first { $0.key == key }.map { .custom(key: key, type: $0.type) }
        }
        return schema.field(name).map { .standard(name: name, kind: $0.kind) }
    }

    /// Whether a list can be sorted by a field (`created_at`, a standard field, `custom.KEY`).
    package static func canSort(
        by name: String, schema: ObjectType, customFields: [CustomFieldDefinition]
    ) -> Bool {
        target(name, schema: schema, customFields: customFields).map(isSortable) ?? false
    }

    static func isSortable(_ target: Target) -> Bool {
        switch target {
        case .time: true
        case .custom(_, let type): type != .multi_select
        case .standard(_, let kind): !kind.isStructured
        }
    }

    /// Which operators a target takes, and the value in stored form.
    static func check(_ op: Operator, _ text: String, for target: Target) -> Result<JSONValue, Refusal> {
        if op == .empty {
            switch text {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return .failure(Refusal("[empty] takes true or false."))
            }
        }
        enum Shape { case text, choice([String]), number, date, moment, list, flag }
        let shape: Shape
        switch target {
        case .time: shape = .moment
        case .custom(_, let type):
            switch type {
            case .text, .select: shape = .text
            case .number: shape = .number
            case .date: shape = .date
            case .boolean: shape = .flag
            case .multi_select: shape = .list
            }
        case .standard(_, let kind):
            switch kind {
            case .text, .email, .domain, .reference, .timeZone, .languageTag, .phones: shape = .text
            case .choice(let choices): shape = .choice(choices)
            case .country: shape = .choice(Array(Countries.codes))
            case .currency: shape = .choice(Array(Currencies.codes))
            case .boolean: shape = .flag
            case .date: shape = .date
            case .count, .money: shape = .number
            case .timestamp, .dateTime: shape = .moment
            case .tags, .emailList, .referenceList: shape = .list
            case .stringMap, .lineItems: return .failure(Refusal("This field can only be filtered with [empty]."))
            }
        }
        switch (shape, op) {
        case (.text, .equals), (.text, .contains), (.list, .contains):
            if case .standard(_, .email) = target { return .success(.string(Email.normalize(text))) }
            if case .standard(_, .emailList) = target { return .success(.string(Email.normalize(text))) }
            return .success(.string(text))
        case (.choice(let choices), .equals):
            let value = choices.count > 100 ? text.uppercased() : text
            return choices.contains(value)
                ? .success(.string(value)) : .failure(Refusal("\"\(text)\" is not a known value."))
        case (.number, .equals), (.number, .gte), (.number, .lte):
            guard let number = Double(text), number.isFinite else { return .failure(Refusal("Expected a number.")) }
            return .success(.number(number))
        case (.date, .equals), (.date, .gte), (.date, .lte):
            return RecordPatch.isDate(text)
                ? .success(.string(text)) : .failure(Refusal("Expected a date as YYYY-MM-DD."))
        case (.moment, .gte), (.moment, .lte):
            // A day stands for all of it (UTC): from its start, or up to its end.
            if RecordPatch.isDate(text), let start = Timestamp.parse(text + "T00:00:00Z") {
                let micros = Timestamp.micros(start)
                return .success(.number(Double(op == .gte ? micros : micros + 86_400_000_000 - 1)))
            }
            guard let date = Timestamp.parse(text) else {
                return .failure(Refusal("Expected an RFC 3339 time or a date as YYYY-MM-DD."))
            }
            return .success(.number(Double(Timestamp.micros(date))))
        case (.flag, .equals):
            switch text {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return .failure(Refusal("Expected true or false."))
            }
        default:
            return .failure(Refusal("This field does not take [\(op.rawValue)]."))
        }
    }
}

package import Foundation

/// A checked query, ready to be compiled: names resolved against the catalogue, values in the form
/// their columns hold, relative days turned into dates and times, saved segments it names expanded.
/// The store compiles it (`SegmentSQL`), binding every value.
package indirect enum SegmentFilter: Sendable, Equatable {
    case and([SegmentFilter])
    case or([SegmentFilter])
    case not(SegmentFilter)
    /// A field of the contact, or of the contact's company.
    case field(SegmentField, SegmentTest)
    /// The contact's owner: users by id or by email; `nil` in `users` never matches.
    case owner(ids: [String], emails: [String])
    /// The contact's team, by name key (`SearchKey.normalize`).
    case team(nameKeys: [String])
    /// The contact's current consent on a channel is one of `states` (as the column holds them).
    case consent(channel: String, states: [String])
    /// How many events of a type the contact has since a time (microseconds; nil for ever).
    case events(type: String, since: Int64?, SegmentCount)
    /// How many orders the contact has since a time.
    case orders(since: Int64?, SegmentCount)
    /// What the contact's orders since a time came to, in thousandths of major units of their currency
    /// (only orders in `currency` when it is set).
    case spent(since: Int64?, currency: String?, SegmentCount)
    /// The contact has an order with a line of the product with this SKU.
    case bought(sku: String)
    /// Always true or always false (`owner = me` for the system, which is nobody).
    case constant(Bool)
}

/// A field a condition reads.
package enum SegmentField: Sendable, Equatable {
    case contact(ListQuery.Target)
    case company(ListQuery.Target)
    /// The contact's name: first name, last name, or both with a space between.
    case contactName
}

/// A comparison of a number with a threshold.
package struct SegmentCount: Sendable, Equatable {
    package enum Comparison: String, Sendable, Equatable {
        case equals = "=", notEquals = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }
    package var comparison: Comparison
    package var value: Int64

    package init(_ comparison: Comparison, _ value: Int64) {
        self.comparison = comparison
        self.value = value
    }
}

/// What a field is tested for; values are in the form the column holds.
package enum SegmentTest: Sendable, Equatable {
    /// Equal to one of the values (`=`, `in`).
    case oneOf([JSONValue])
    /// Holds the text, case-insensitively (A-Z folded).
    case contains(String)
    /// Compared with a value (numbers, dates as `YYYY-MM-DD`, moments as microseconds).
    case compare(SegmentCount.Comparison, JSONValue)
    /// No value (an empty list for lists).
    case empty
    /// A list (tags, a multi-select) holds one of the values.
    case listHas([String])
    /// The date's day and month (`MM-DD`) is one of these: anniversaries.
    case anniversary([String])
}

/// What the checker needs to know about the workspace and the caller.
package struct SegmentContext: Sendable {
    package var contactCustomFields: [CustomFieldDefinition]
    package var companyCustomFields: [CustomFieldDefinition]
    /// Fields the caller's role hides (`custom.KEY` for custom fields).
    package var hiddenContactFields: Set<String>
    package var hiddenCompanyFields: Set<String>
    /// Whether the caller may read companies and orders at all.
    package var readsCompanies: Bool
    package var readsOrders: Bool
    /// The caller (nil for the system): what `owner = me` means.
    package var userID: String?
    /// Now, in microseconds; today is its day in `timeZone`.
    package var now: Int64
    /// The workspace's zone: the one relative days (`today`, `-30d`, `within 7d`) and days compared with times
    /// are read in.
    package var timeZone: TimeZone
    /// The workspace's saved segments by name key: their ids and queries, for `in segment "Name"`.
    package var segments: [String: (id: String, name: String, query: String)]

    package init(
        contactCustomFields: [CustomFieldDefinition] = [], companyCustomFields: [CustomFieldDefinition] = [],
        hiddenContactFields: Set<String> = [], hiddenCompanyFields: Set<String> = [], readsCompanies: Bool = true,
        readsOrders: Bool = true, userID: String?, now: Int64, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        segments: [String: (id: String, name: String, query: String)] = [:]
    ) {
        self.timeZone = timeZone
        self.contactCustomFields = contactCustomFields
        self.companyCustomFields = companyCustomFields
        self.hiddenContactFields = hiddenContactFields
        self.hiddenCompanyFields = hiddenCompanyFields
        self.readsCompanies = readsCompanies
        self.readsOrders = readsOrders
        self.userID = userID
        self.now = now
        self.segments = segments
    }
}

/// The segment language: parse, then check a query against the catalogue and the caller.
package enum SegmentQuery {
    /// Event types a query may count (every type on the timeline, and the marketing ones).
    package static var eventTypes: [String] { TimelineEvent.types + TimelineEvent.behaviourTypes }

    /// Consent channels, and the states a query names them by (the language's words → stored values).
    package static let channels = ["email"]
    package static let consentStates: [String: String] = [
        "granted": "subscribed", "subscribed": "subscribed", "withdrawn": "unsubscribed",
        "unsubscribed": "unsubscribed", "unknown": "unknown",
    ]

    /// Other names for fields: what people type.
    static let aliases: [String: String] = [
        "title": "job_title", "stage": "lifecycle_stage", "lifecycle": "lifecycle_stage", "tag": "tags",
        "status": "lead_status", "created": "created_at", "updated": "updated_at",
    ]

    /// Parses and checks a query.
    /// - Throws: `SegmentIssues`, each with its line and column.
    package static func compile(_ text: String, context: SegmentContext) throws(SegmentIssues) -> SegmentFilter {
        var checker = SegmentChecker(context: context, visiting: [])
        return try checker.check(text)
    }
}

/// Checks a syntax tree against the catalogue, the caller and the workspace's segments.
struct SegmentChecker {
    var context: SegmentContext
    /// Name keys of the saved segments being expanded (for cycles).
    var visiting: [String]
    var issues: [SegmentIssue] = []

    init(context: SegmentContext, visiting: [String]) {
        self.context = context
        self.visiting = visiting
    }

    mutating func check(_ text: String) throws(SegmentIssues) -> SegmentFilter {
        let node = try SegmentParser.parse(text)
        let filter = check(node)
        if !issues.isEmpty { throw SegmentIssues(issues) }
        return filter
    }

    mutating func check(_ node: SegmentNode) -> SegmentFilter {
        switch node {
        case .and(let left, let right):
            let first = check(left)
            let second = check(right)
            return Self.flatten(.and([first, second]))
        case .or(let left, let right):
            let first = check(left)
            let second = check(right)
            return Self.flatten(.or([first, second]))
        case .not(let inner, _):
            let checked = check(inner)
            return .not(checked)
        case .bought(let value, _):
            guard context.readsOrders else {
                return refuse(value.position, key: "hidden", "Your role may not read {field}.", ["field": "orders"])
            }
            guard case .string(let sku) = value.literal, !sku.trimmed().isEmpty else {
                return refuse(
                    value.position, key: "expected_sku",
                    "Expected a product SKU in quotes, such as bought(\"SKU-1\").")
            }
            return .bought(sku: SegmentFilterText.fold(sku.trimmed()))
        case .inSegment(let value, let position):
            return segment(value, at: position)
        case .condition(let subject, let op, let values, let at):
            if let arguments = subject.arguments {
                return function(subject, arguments: arguments, op, values, at: at)
            }
            return field(subject, op, values, at: at)
        }
    }

    static func flatten(_ filter: SegmentFilter) -> SegmentFilter {
        switch filter {
        case .and(let parts):
            return .and(parts.flatMap { if case .and(let inner) = $0 { inner } else { [$0] } })
        case .or(let parts):
            return .or(parts.flatMap { if case .or(let inner) = $0 { inner } else { [$0] } })
        default:
            return filter
        }
    }

    /// Records an issue (a message the pages translate: `issue_segment_KEY`) and stands in for the condition.
    mutating func refuse(
        _ position: SegmentPosition, key: String, _ template: String, _ values: [String: String] = [:]
    ) -> SegmentFilter {
        issues.append(SegmentIssue(position, key: key, template, values))
        return .constant(false)
    }

    /// A word or string argument as written; nil, with `message` noted at its place, for any other value.
    mutating func word(_ value: SegmentValue, key: String, _ message: String) -> String? {
        switch value.literal {
        case .word(let text), .string(let text): return text
        default:
            _ = refuse(value.position, key: key, message)
            return nil
        }
    }

    // MARK: Saved segments

    mutating func segment(_ value: SegmentValue, at position: SegmentPosition) -> SegmentFilter {
        guard case .string(let name) = value.literal else {
            return refuse(
                value.position, key: "segment_name_quotes",
                "Expected the segment's name in quotes: in segment \"Name\".")
        }
        let key = SearchKey.normalize(name)
        guard let saved = context.segments[key] else {
            return refuse(value.position, key: "no_segment", "There is no segment named \"{name}\".", ["name": name])
        }
        if visiting.contains(key) {
            return refuse(
                value.position, key: "cycle",
                "Segment \"{name}\" includes itself (through in segment): a cycle is not allowed.", ["name": saved.name]
            )
        }
        var inner = SegmentChecker(context: context, visiting: visiting + [key])
        do throws(SegmentIssues) {
            return try inner.check(saved.query)
        } catch {
            let first = error.issues.first
            if let first, first.key == "cycle" {
                return refuse(
                    value.position, key: "cycle",
                    "Segment \"{name}\" includes itself (through in segment): a cycle is not allowed.", first.values)
            }
            return refuse(
                value.position, key: "broken_segment",
                "Segment \"{name}\" cannot be used: line {line}, column {column}: {message}",
                [
                    "name": saved.name, "line": String(first?.line ?? 1), "column": String(first?.column ?? 1),
                    "message": first?.message ?? "",
                ])
        }
    }

    // MARK: Functions

    mutating func function(
        _ subject: SegmentSubject, arguments: [SegmentValue], _ op: SegmentOperator, _ values: [SegmentValue],
        at: SegmentPosition
    ) -> SegmentFilter {
        let name = subject.name.lowercased()
        switch name {
        case "events":
            guard let first = arguments.first, arguments.count <= 2 else {
                return refuse(
                    subject.position, key: "events_arguments",
                    "events takes an event type and a window: events(page_view, 30d).")
            }
            guard
                let type = word(first, key: "expected_event_type", "Expected an event type such as page_view.")?
                    .lowercased()
            else { return .constant(false) }
            guard SegmentQuery.eventTypes.contains(type) else {
                return refuse(
                    first.position, key: "unknown_event", "Unknown event type \"{type}\"; expected one of {types}.",
                    ["type": type, "types": SegmentQuery.eventTypes.joined(separator: ", ")])
            }
            guard let since = window(arguments.dropFirst().first) else { return .constant(false) }
            guard let count = count(op, values, at: at, whole: true) else { return .constant(false) }
            return .events(type: type, since: since, count)
        case "orders", "spent":
            guard context.readsOrders else {
                return refuse(subject.position, key: "hidden", "Your role may not read {field}.", ["field": "orders"])
            }
            guard arguments.count <= (name == "spent" ? 2 : 1) else {
                return name == "spent"
                    ? refuse(
                        subject.position, key: "spent_arguments",
                        "spent takes a window and an optional currency: spent(365d) or spent(365d, \"EUR\").")
                    : refuse(subject.position, key: "orders_arguments", "orders takes a window: orders(365d).")
            }
            guard let since = window(arguments.first) else { return .constant(false) }
            var currency: String?
            if arguments.count == 2 {
                let argument = arguments[1]
                guard let text = word(argument, key: "expected_currency", "Expected a currency code such as \"EUR\".")
                else { return .constant(false) }
                guard let code = Currencies.code(text) else {
                    return refuse(
                        argument.position, key: "not_currency", "\"{value}\" is not a currency code such as EUR.",
                        ["value": text])
                }
                currency = code
            }
            guard let count = count(op, values, at: at, whole: name == "orders") else { return .constant(false) }
            if name == "orders" { return .orders(since: since, count) }
            return .spent(since: since, currency: currency, count)
        case "consent":
            guard arguments.count == 1, let channelValue = arguments.first else {
                return refuse(
                    subject.position, key: "consent_arguments",
                    "consent takes a channel: consent(email).")
            }
            guard
                let channel = word(channelValue, key: "expected_channel", "Expected a channel such as email.")?
                    .lowercased()
            else { return .constant(false) }
            guard SegmentQuery.channels.contains(channel) else {
                return refuse(
                    channelValue.position,
                    key: "unknown_channel", "Unknown channel \"{name}\"; expected {channels}.",
                    ["name": channel, "channels": SegmentQuery.channels.joined(separator: ", ")])
            }
            if context.hiddenContactFields.contains("email_consent") {
                return refuse(
                    subject.position, key: "hidden", "Your role may not read {field}.", ["field": "email_consent"])
            }
            guard [.equals, .notEquals, .isIn, .notIn].contains(op) else {
                return refuse(
                    at, key: "consent_operator",
                    "consent(…) takes =, !=, in or not in, with granted, withdrawn or unknown.")
            }
            var states: [String] = []
            for value in values {
                let text: String
                switch value.literal {
                case .word(let word), .string(let word): text = word.lowercased()
                default: text = ""
                }
                guard let state = SegmentQuery.consentStates[text] else {
                    return refuse(
                        value.position, key: "expected_consent_state",
                        "Expected a consent state: granted, withdrawn or unknown.")
                }
                states.append(state)
            }
            let test = SegmentFilter.consent(channel: channel, states: states)
            return op == .notEquals || op == .notIn ? .not(test) : test
        default:
            return refuse(
                subject.position, key: "unknown_function",
                "Unknown function \"{name}\"; expected events(…), orders(…), spent(…), consent(…) or bought(…).",
                ["name": subject.name])
        }
    }

    /// `30d` as the time it reaches back to; nil (ever) when missing. Reports a bad window and returns nil
    /// wrapped as `.none` (the outer optional).
    mutating func window(_ value: SegmentValue?) -> Int64?? {
        guard let value else { return .some(nil) }
        guard case .days(let days) = value.literal, days > 0 else {
            issues.append(
                SegmentIssue(
                    value.position, key: "expected_window",
                    "Expected a window of days such as 30d."))
            return .none
        }
        return .some(context.now - Int64(days) * 86_400_000_000)
    }

    /// The comparison of a count or an amount with a number.
    mutating func count(_ op: SegmentOperator, _ values: [SegmentValue], at: SegmentPosition, whole: Bool)
        -> SegmentCount?
    {
        guard let comparison = SegmentCount.Comparison(rawValue: op.rawValue) else {
            issues.append(
                SegmentIssue(
                    at, key: "expected_comparison",
                    "Expected a comparison with a number: =, !=, <, <=, > or >=."))
            return nil
        }
        guard let value = values.first, case .number(let number) = value.literal else {
            issues.append(
                SegmentIssue(
                    values.first?.position ?? at, key: "expected_plain_number",
                    "Expected a number."))
            return nil
        }
        if whole {
            guard number.rounded() == number, number >= 0, number < 1e12 else {
                issues.append(
                    SegmentIssue(
                        value.position, key: "expected_whole_number",
                        "Expected a whole number, at least 0."))
                return nil
            }
            return SegmentCount(comparison, Int64(number))
        }
        guard abs(number) < 1e12 else {
            issues.append(
                SegmentIssue(
                    value.position, key: "amount_too_large", "The amount is too large."))
            return nil
        }
        return SegmentCount(comparison, Int64((number * 1000).rounded()))
    }

    // MARK: Fields

    mutating func field(
        _ subject: SegmentSubject, _ op: SegmentOperator, _ values: [SegmentValue], at: SegmentPosition
    ) -> SegmentFilter {
        var name = subject.name
        if let alias = SegmentQuery.aliases[name.lowercased()] { name = alias }
        switch name.lowercased() {
        case "owner":
            if context.hiddenContactFields.contains("owner_id") {
                return refuse(subject.position, key: "hidden", "Your role may not read {field}.", ["field": "owner_id"])
            }
            return people(op, values, at: at, column: "owner_id", subject: subject)
        case "team":
            if context.hiddenContactFields.contains("team_id") {
                return refuse(subject.position, key: "hidden", "Your role may not read {field}.", ["field": "team_id"])
            }
            return people(op, values, at: at, column: "team_id", subject: subject)
        case "name":
            if context.hiddenContactFields.contains("first_name") || context.hiddenContactFields.contains("last_name") {
                return refuse(
                    subject.position, key: "hidden_name",
                    "Your role may not read the contact's name.")
            }
            return test(.contactName, kindOf: .text(maxLength: 401), op, values, at: at, label: "name")
        default:
            break
        }
        var company = false
        if name.lowercased().hasPrefix("company.") {
            company = true
            name = String(name.dropFirst("company.".count))
            if let alias = SegmentQuery.aliases[name.lowercased()], alias != "job_title" { name = alias }
            guard context.readsCompanies, !context.hiddenContactFields.contains("company_id") else {
                return refuse(
                    subject.position, key: "hidden", "Your role may not read {field}.", ["field": "companies"])
            }
        }
        let schema: ObjectType = company ? .companies : .contacts
        let customFields = company ? context.companyCustomFields : context.contactCustomFields
        let hidden = company ? context.hiddenCompanyFields : context.hiddenContactFields
        guard let target = ListQuery.target(name, schema: schema, customFields: customFields) else {
            var known =
                schema.fields.map(\.name) + ["created_at", "updated_at"] + customFields.map { "custom.\($0.key)" }
            if !company { known += Array(SegmentQuery.aliases.keys) + ["owner", "team", "name"] }
            let prefix = company ? "company." : ""
            if let near = Self.nearest(name, in: known) {
                return refuse(
                    subject.position, key: "unknown_field_near", "Unknown field \"{name}\"; did you mean {near}?",
                    ["name": subject.name, "near": prefix + near])
            }
            return refuse(
                subject.position, key: "unknown_field", "Unknown field \"{name}\"; the fields are {fields}.",
                [
                    "name": subject.name,
                    "fields": (known.sorted() + (company ? [] : ["company.FIELD"])).joined(separator: ", "),
                ])
        }
        if hidden.contains(target.name) {
            return refuse(
                subject.position, key: "hidden", "Your role may not read {field}.",
                ["field": (company ? "company." : "") + target.name])
        }
        let field: SegmentField = company ? .company(target) : .contact(target)
        let label = (company ? "company." : "") + target.name
        switch target {
        case .time:
            return test(field, kindOf: .timestamp, op, values, at: at, label: label)
        case .standard(_, let kind):
            if case .reference = kind {
                return test(field, kindOf: .text(maxLength: 100), op, values, at: at, label: label)
            }
            return test(field, kindOf: kind, op, values, at: at, label: label)
        case .custom(_, let type):
            let kind: FieldKind =
                switch type {
                case .text: .text(maxLength: 10_000)
                case .select: .choice(customFields.first { "custom.\($0.key)" == target.name }?.options ?? [])
                case .number: .money(currency: "")
                case .date: .date
                case .boolean: .boolean
                case .multi_select: .tags
                }
            return test(field, kindOf: kind, op, values, at: at, label: label)
        }
    }

    /// `owner = me`, `owner = "ana@example.com"`, `team = "Sales"`, their lists, negations and emptiness.
    mutating func people(
        _ op: SegmentOperator, _ values: [SegmentValue], at: SegmentPosition, column: String, subject: SegmentSubject
    ) -> SegmentFilter {
        let target = ListQuery.Target.standard(name: column, kind: .reference(column == "owner_id" ? "users" : "teams"))
        switch op {
        case .isEmpty: return .field(.contact(target), .empty)
        case .isNotEmpty: return .not(.field(.contact(target), .empty))
        case .equals, .notEquals, .isIn, .notIn: break
        default:
            return refuse(
                at, key: "people_operator", "{name} takes =, !=, in, not in, is empty or is not empty.",
                ["name": subject.name])
        }
        var filter: SegmentFilter
        if column == "owner_id" {
            var ids: [String] = []
            var emails: [String] = []
            for value in values {
                switch value.literal {
                case .word(let word) where word.lowercased() == "me":
                    if let user = context.userID { ids.append(user) }
                case .string(let text) where text.contains("@"):
                    emails.append(Email.normalize(text))
                default:
                    return refuse(
                        value.position, key: "expected_owner",
                        "Expected me or a user's email in quotes, such as \"ana@example.com\".")
                }
            }
            filter = ids.isEmpty && emails.isEmpty ? .constant(false) : .owner(ids: ids, emails: emails)
        } else {
            var keys: [String] = []
            for value in values {
                guard case .string(let text) = value.literal else {
                    return refuse(
                        value.position, key: "expected_team",
                        "Expected a team's name in quotes, such as \"Sales\".")
                }
                keys.append(SearchKey.normalize(text))
            }
            filter = .team(nameKeys: keys)
        }
        if op == .notEquals || op == .notIn { filter = .not(filter) }
        return filter
    }

    /// A field compared with values, each checked against the field's kind.
    mutating func test(
        _ field: SegmentField, kindOf kind: FieldKind, _ op: SegmentOperator, _ values: [SegmentValue],
        at: SegmentPosition, label: String
    ) -> SegmentFilter {
        enum Shape { case text, choice([String]), number, date, moment, list, flag, structured }
        let shape: Shape =
            switch kind {
            case .text, .email, .domain, .reference, .timeZone, .languageTag, .phones: .text
            case .choice(let choices): .choice(choices)
            case .country: .choice(Array(Countries.codes))
            case .currency: .choice(Array(Currencies.codes))
            case .boolean: .flag
            case .date: .date
            case .count, .money: .number
            case .timestamp, .dateTime: .moment
            case .tags, .emailList, .referenceList: .list
            case .stringMap, .lineItems: .structured
            }
        let described: String =
            switch shape {
            case .text: "text"
            case .choice: "a choice"
            case .number: "a number"
            case .date: "a date"
            case .moment: "a time"
            case .list: "a list"
            case .flag: "true or false"
            case .structured: "structured"
            }
        switch op {
        case .isEmpty: return .field(field, .empty)
        case .isNotEmpty: return .not(.field(field, .empty))
        default: break
        }
        if case .structured = shape {
            return refuse(
                at, key: "only_empty", "{field} can only be tested with is empty or is not empty.", ["field": label])
        }
        let negated = [.notEquals, .notContains, .notIn].contains(op)
        func wrap(_ test: SegmentTest) -> SegmentFilter {
            negated ? .not(.field(field, test)) : .field(field, test)
        }
        /// A value as text: a quoted string, or a bare word where the field is a choice.
        func text(_ value: SegmentValue) -> String? {
            switch value.literal {
            case .string(let text): return text
            case .word(let word):
                if case .choice = shape { return word }
                return nil
            case .number(let number):
                if case .choice = shape { return SegmentLiteral.format(number) }
                return nil
            case .days: return nil
            }
        }
        switch op {
        case .within:
            guard case .date = shape else {
                return refuse(
                    at, key: "within_date",
                    "within takes a date field such as birthday: birthday within 7d.")
            }
            guard let value = values.first, case .days(let days) = value.literal, days >= 0, days <= 366 else {
                return refuse(
                    values.first?.position ?? at, key: "expected_days_ahead",
                    "Expected a number of days ahead, such as 7d.")
            }
            return .field(
                field, .anniversary(Self.anniversaries(from: context.now, days: days, zone: context.timeZone)))
        case .contains, .notContains:
            switch shape {
            case .text, .choice, .list:
                guard let value = values.first, case .string(let needle) = value.literal else {
                    return refuse(
                        values.first?.position ?? at, key: "expected_text_after", "Expected text in quotes after {op}.",
                        ["op": op.rawValue])
                }
                if case .list = shape { return wrap(.listHas([needle])) }
                return wrap(.contains(SegmentFilterText.fold(needle)))
            default:
                return refuse(
                    at, key: "text_operator", "{op} compares text, and {field} is {kind}: use =, !=, <, <=, > or >=.",
                    ["op": op.rawValue, "field": label, "kind": described])
            }
        case .equals, .notEquals, .isIn, .notIn:
            var checked: [JSONValue] = []
            for value in values {
                switch shape {
                case .text:
                    guard let text = text(value) else {
                        return refuse(
                            value.position, key: "expected_text",
                            "Expected text in quotes for {field}, such as \"Kyiv\".",
                            ["field": label])
                    }
                    checked.append(.string(kind == .email ? Email.normalize(text) : text))
                case .choice(let choices):
                    guard let text = text(value) else {
                        return refuse(
                            value.position, key: "expected_choice", "Expected one of {field}'s values.",
                            ["field": label])
                    }
                    let found = choices.count > 100 ? text.uppercased() : text
                    guard choices.contains(found) else {
                        let listed = choices.count > 20 ? "" : ": \(choices.joined(separator: ", "))"
                        return refuse(
                            value.position, key: "not_a_value", "\"{value}\" is not a value of {field}{listed}.",
                            ["value": text, "field": label, "listed": listed])
                    }
                    checked.append(.string(found))
                case .list:
                    var word: String?
                    if case .word(let bare) = value.literal { word = bare }
                    guard let text = text(value) ?? word else {
                        return refuse(
                            value.position, key: "expected_list_text", "Expected text in quotes for {field}.",
                            ["field": label])
                    }
                    checked.append(.string(kind == .emailList ? Email.normalize(text) : text))
                case .number:
                    guard case .number(let number) = value.literal else {
                        return refuse(
                            value.position, key: "expected_number", "Expected a number for {field}, not {found}.",
                            ["field": label, "found": value.literal.described])
                    }
                    checked.append(.number(number))
                case .flag:
                    guard case .word(let word) = value.literal, ["true", "false"].contains(word.lowercased()) else {
                        return refuse(
                            value.position, key: "expected_flag", "Expected true or false for {field}.",
                            ["field": label])
                    }
                    checked.append(.bool(word.lowercased() == "true"))
                case .date, .moment:
                    guard let day = day(value) else {
                        return refuse(
                            value.position,
                            key: "expected_date",
                            "Expected a date for {field}: \"2026-01-01\", today, or days from today such as -30d.",
                            ["field": label])
                    }
                    checked.append(.string(day))
                case .structured:
                    return .constant(false)
                }
            }
            if case .list = shape {
                return wrap(.listHas(checked.compactMap { if case .string(let s) = $0 { s } else { nil } }))
            }
            if case .moment = shape {
                // a day stands for every moment of it (in the workspace's zone)
                let zone = context.timeZone
                let ranges = checked.compactMap { day -> SegmentFilter? in
                    guard case .string(let text) = day, let (start, end) = Self.dayRange(text, zone: zone) else {
                        return nil
                    }
                    return .and([
                        .field(field, .compare(.greaterOrEqual, .number(Double(start)))),
                        .field(field, .compare(.less, .number(Double(end)))),
                    ])
                }
                let any: SegmentFilter = ranges.count == 1 ? ranges[0] : .or(ranges)
                return negated ? .not(any) : any
            }
            return wrap(.oneOf(checked))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let comparison = SegmentCount.Comparison(rawValue: op.rawValue)!
            guard let value = values.first else {
                return refuse(at, key: "expected_value_missing", "Expected a value.")
            }
            switch shape {
            case .number:
                guard case .number(let number) = value.literal else {
                    return refuse(
                        value.position, key: "expected_number", "Expected a number for {field}, not {found}.",
                        ["field": label, "found": value.literal.described])
                }
                return .field(field, .compare(comparison, .number(number)))
            case .date:
                guard let day = day(value) else {
                    return refuse(
                        value.position,
                        key: "expected_date",
                        "Expected a date for {field}: \"2026-01-01\", today, or days from today such as -30d.",
                        ["field": label])
                }
                return .field(field, .compare(comparison, .string(day)))
            case .moment:
                guard let day = day(value), let (start, end) = Self.dayRange(day, zone: context.timeZone) else {
                    return refuse(
                        value.position,
                        key: "expected_date",
                        "Expected a date for {field}: \"2026-01-01\", today, or days from today such as -30d.",
                        ["field": label])
                }
                // after a day: from its end; before it: before its start
                let bound: Int64 =
                    switch comparison {
                    case .greater, .lessOrEqual: end
                    default: start
                    }
                let moment: SegmentCount.Comparison =
                    switch comparison {
                    case .greater: .greaterOrEqual
                    case .lessOrEqual: .less
                    default: comparison
                    }
                return .field(field, .compare(moment, .number(Double(bound))))
            default:
                return refuse(
                    at, key: "order_operator", "{op} compares numbers and dates, and {field} is {kind}.",
                    ["op": op.rawValue, "field": label, "kind": described])
            }
        case .isEmpty, .isNotEmpty:
            return .constant(false)
        }
    }

    /// The name closest to `name` (at most two edits away, case ignored), for "did you mean".
    static func nearest(_ name: String, in names: [String]) -> String? {
        let wanted = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in names {
            let other = Array(candidate.lowercased())
            guard abs(other.count - wanted.count) <= 2 else { continue }
            var previous = Array(0...other.count)
            for (i, a) in wanted.enumerated() {
                var current = [i + 1] + Array(repeating: 0, count: other.count)
                for (j, b) in other.enumerated() {
                    current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a == b ? 0 : 1))
                }
                previous = current
            }
            let distance = previous[other.count]
            if distance <= 2, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// A value naming a day: `"2026-01-01"`, `today`, or days from today (`-30d`), today being the workspace's.
    func day(_ value: SegmentValue) -> String? {
        switch value.literal {
        case .string(let text): return RecordPatch.isDate(text) ? text : nil
        case .word(let word) where word.lowercased() == "today":
            return Self.day(context.now, plus: 0, zone: context.timeZone)
        case .days(let days): return Self.day(context.now, plus: days, zone: context.timeZone)
        default: return nil
        }
    }

    /// `YYYY-MM-DD` of the day `days` after the one `now` falls on in `zone`.
    static func day(_ now: Int64, plus days: Int, zone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        // the local date of now, as a day count, then days added to that count (no clock change in the way)
        let offset = Int64(zone.secondsFromGMT(for: Timestamp.date(now))) * 1_000_000
        let local = now + offset
        let day = (local >= 0 ? local / 86_400_000_000 : (local - 86_399_999_999) / 86_400_000_000) + Int64(days)
        let (year, month, date) = Timestamp.civil(days: day)
        return String(format: "%04d-%02d-%02d", year, month, date)
    }

    /// The moments of a day in `zone`: from its first moment to the next day's first (microseconds). A day
    /// with a clock change is 23 or 25 hours long.
    static func dayRange(_ day: String, zone: TimeZone = TimeZone(identifier: "UTC")!) -> (Int64, Int64)? {
        guard RecordPatch.isDate(day), let year = Int(day.prefix(4)), let month = Int(day.dropFirst(5).prefix(2)),
            let date = Int(day.suffix(2))
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let noon = calendar.date(from: DateComponents(year: year, month: month, day: date, hour: 12)),
            let next = calendar.date(byAdding: .day, value: 1, to: noon)
        else { return nil }
        return (
            Timestamp.micros(calendar.startOfDay(for: noon)), Timestamp.micros(calendar.startOfDay(for: next))
        )
    }

    /// Today's and the next `days` days' `MM-DD` (today in `zone`); 02-29 is counted on 02-28 in a year
    /// without it.
    static func anniversaries(from now: Int64, days: Int, zone: TimeZone = TimeZone(identifier: "UTC")!)
        -> [String]
    {
        var found: [String] = []
        for offset in 0...days {
            let day = self.day(now, plus: offset, zone: zone)
            let monthDay = String(day.suffix(5))
            if !found.contains(monthDay) { found.append(monthDay) }
            if monthDay == "02-28", let year = Int(day.prefix(4)),
                !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)), !found.contains("02-29")
            {
                found.append("02-29")
            }
        }
        return found
    }
}

/// Text as `~` compares it.
package enum SegmentFilterText {
    /// Lower-cases A-Z only, as both databases' `lower()` does.
    package static func fold(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
    }
}

import Foundation

/// Applies a JSON merge patch (RFC 7396) to a record: every member is validated and normalised, all
/// problems are reported at once, and `null` clears a field. Creating a record is patching an empty one.
package enum RecordPatch {
    /// Members a client may not set.
    static let serverOwned: Set<String> = ["id", "created_at", "updated_at"]

    /// The ids a patch refers to, which the store must find in the workspace before writing.
    package struct References: Sendable, Equatable {
        /// Field name → (referenced table, id).
        package var ids: [String: (table: String, id: String)] = [:]
        /// Field name → (referenced table, ids), for lists of references (a deal's contacts and products).
        package var lists: [String: (table: String, ids: [String])] = [:]

        package init() {}

        package static func == (lhs: References, rhs: References) -> Bool {
            lhs.ids.mapValues { "\($0.table)/\($0.id)" } == rhs.ids.mapValues { "\($0.table)/\($0.id)" }
                && lhs.lists.mapValues { "\($0.table)/\($0.ids)" } == rhs.lists.mapValues { "\($0.table)/\($0.ids)" }
        }
    }

    /// Applies `patch` to `record`.
    /// - Returns: the references to check.
    /// - Throws: `invalid` naming every bad member (unknown fields, wrong types, bad values).
    package static func apply(
        _ patch: [String: JSONValue], to record: inout Record, schema: ObjectType,
        customFields: [CustomFieldDefinition]
    ) throws -> References {
        var issues: [FieldIssue] = []
        var references = References()
        for (name, value) in patch.sorted(by: { $0.key < $1.key }) {
            if name == "custom" {
                applyCustom(value, to: &record, definitions: customFields, issues: &issues)
                continue
            }
            guard let field = schema.field(name) else {
                let message = serverOwned.contains(name) ? "This field is set by the server." : "Unknown field."
                issues.append(FieldIssue(name, message))
                continue
            }
            guard field.writable else {
                issues.append(FieldIssue(name, "This field is set by the server."))
                continue
            }
            var value = value
            if case .stringMap = field.kind, case .object(let members) = value, case .object(let current) = record[name]
            {
                // A merge patch of the map itself: members set keys, null members remove them.
                var merged = current
                for (key, member) in members {
                    if member == .null { merged[key] = nil } else { merged[key] = member }
                }
                value = .object(merged)
            }
            switch normalise(value, for: field) {
            case .success(let normalised):
                record.values[name] = normalised == .null ? (field.defaultValue ?? field.kind.emptyValue) : normalised
                if case .reference(let table) = field.kind, case .string(let id) = normalised {
                    references.ids[name] = (table, id)
                }
                if let listed = field.kind.listedReferences(in: normalised), !listed.ids.isEmpty {
                    references.lists[name] = listed
                }
            case .failure(let issue):
                issues.append(issue)
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        if let primary = record.string("email"), case .array(let additional) = record["additional_emails"],
            additional.contains(.string(primary))
        {
            record.values["additional_emails"] = .array(additional.filter { $0 != .string(primary) })
        }
        return references
    }

    static func applyCustom(
        _ value: JSONValue, to record: inout Record, definitions: [CustomFieldDefinition], issues: inout [FieldIssue]
    ) {
        guard case .object(let members) = value else {
            if value == .null {
                record.custom = [:]
            } else {
                issues.append(FieldIssue("custom", "Expected an object, not \(value.typeName)."))
            }
            return
        }
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            guard let definition = definitions.first(where: { $0.key == key }) else {
                issues.append(FieldIssue("custom.\(key)", "Unknown custom field."))
                continue
            }
            switch definition.check(member) {
            case .success(.null): record.custom[key] = nil
            case .success(let checked): record.custom[key] = checked
            case .failure(let issue): issues.append(issue)
            }
        }
    }

    /// The stored form of a value for a field, or why it is refused.
    static func normalise(_ value: JSONValue, for field: FieldSpec) -> Result<JSONValue, FieldIssue> {
        let name = field.name
        if value == .null { return .success(.null) }
        func fail(_ message: String) -> Result<JSONValue, FieldIssue> { .failure(FieldIssue(name, message)) }
        func fail(_ key: String, _ template: String, _ values: [String: String] = [:]) -> Result<JSONValue, FieldIssue>
        {
            .failure(FieldIssue(name, key: key, template, values))
        }
        func string() -> String? { if case .string(let text) = value { text } else { nil } }
        switch field.kind {
        case .text(let maxLength):
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            let trimmed = text.trimmed()
            if trimmed.count > maxLength {
                return fail("too_long", "Must be at most {count} characters.", ["count": String(maxLength)])
            }
            if hasForbiddenControl(trimmed) {
                return fail("control_characters", "Must not contain control characters.")
            }
            return .success(trimmed.isEmpty ? .null : .string(trimmed))
        case .domain:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            let domain = text.trimmed().lowercased()
            if domain.count > 253 { return fail("too_long", "Must be at most {count} characters.", ["count": "253"]) }
            if hasForbiddenControl(domain) { return fail("control_characters", "Must not contain control characters.") }
            guard domain.isEmpty || isDomain(domain) else {
                return fail("domain", "Must be a domain name such as example.com.")
            }
            return .success(domain.isEmpty ? .null : .string(domain))
        case .email:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            let email = Email.normalize(text)
            if email.isEmpty { return .success(.null) }
            return Email.isValid(email)
                ? .success(.string(email)) : fail("email", "\"{value}\" is not a valid email address.", ["value": text])
        case .emailList:
            guard case .array(let items) = value else { return fail("Expected an array of addresses.") }
            var emails: [String] = []
            for item in items {
                guard case .string(let text) = item else { return fail("Expected an array of addresses.") }
                let email = Email.normalize(text)
                guard Email.isValid(email) else {
                    return fail("email", "\"{value}\" is not a valid email address.", ["value": text])
                }
                if !emails.contains(email) { emails.append(email) }
            }
            if emails.count > 50 { return fail("too_many_emails", "At most 50 additional addresses.") }
            return .success(.array(emails.map(JSONValue.string)))
        case .choice(let choices):
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            return choices.contains(text)
                ? .success(.string(text))
                : fail("choice", "Must be one of {choices}.", ["choices": choices.joined(separator: ", ")])
        case .country:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            if text.trimmed(newlines: false).isEmpty { return .success(.null) }
            guard let code = Countries.code(text) else {
                return fail("country", "Must be an ISO 3166-1 alpha-2 code such as DK.")
            }
            return .success(.string(code))
        case .currency:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            if text.trimmed(newlines: false).isEmpty { return .success(.null) }
            guard let code = Currencies.code(text) else {
                return fail("currency", "Must be an ISO 4217 currency code such as DKK.")
            }
            return .success(.string(code))
        case .boolean:
            guard case .bool = value else { return fail("Expected true or false, not \(value.typeName).") }
            return .success(value)
        case .timeZone:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            if text.isEmpty { return .success(.null) }
            return TimeZones.known.contains(text)
                ? .success(.string(text)) : fail("time_zone", "Must be an IANA time zone such as Europe/Copenhagen.")
        case .languageTag:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            if text.isEmpty { return .success(.null) }
            guard let tag = LanguageTag.normalise(text) else {
                return fail("language_tag", "Must be a BCP 47 language tag such as fa or da-DK.")
            }
            return .success(.string(tag))
        case .date:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            if text.isEmpty { return .success(.null) }
            return isDate(text) ? .success(.string(text)) : fail("date", "Must be a date as YYYY-MM-DD.")
        case .tags:
            guard case .array(let items) = value else { return fail("Expected an array of strings.") }
            var tags: [String] = []
            for item in items {
                guard case .string(let text) = item else { return fail("Expected an array of strings.") }
                let tag = text.trimmed()
                guard !tag.isEmpty, tag.count <= 100, !hasForbiddenControl(tag) else {
                    return fail("tag", "Each tag must be 1 to 100 characters.")
                }
                if !tags.contains(tag) { tags.append(tag) }
            }
            if tags.count > 100 { return fail("too_many_tags", "At most 100 tags.") }
            return .success(.array(tags.map(JSONValue.string)))
        case .phones:
            guard case .array(let items) = value else { return fail("Expected an array of {\"type\", \"number\"}.") }
            var phones: [JSONValue] = []
            for item in items {
                guard case .object(let phone) = item, case .string(let number)? = phone["number"] else {
                    return fail("phone_number_missing", "Each phone needs a number.")
                }
                var type = "other"
                if let given = phone["type"], given != .null {
                    guard case .string(let text) = given, Phone.types.contains(text) else {
                        return fail(
                            "phone_type", "A phone type must be one of {choices}.",
                            ["choices": Phone.types.joined(separator: ", ")])
                    }
                    type = text
                }
                guard let cleaned = Phone.clean(number) else {
                    return fail("phone", "\"{value}\" is not a phone number.", ["value": number])
                }
                phones.append(.object(["type": .string(type), "number": .string(cleaned)]))
            }
            if phones.count > 20 { return fail("too_many_phones", "At most 20 phones.") }
            return .success(.array(phones))
        case .stringMap:
            guard case .object(let members) = value else { return fail("Expected an object of strings.") }
            var map: [String: JSONValue] = [:]
            for (key, member) in members {
                guard case .string(let text) = member, key.count <= 50, text.count <= 500, !hasForbiddenControl(text)
                else { return fail("Expected an object of strings (keys up to 50, values up to 500 characters).") }
                if !text.isEmpty { map[key] = .string(text) }
            }
            return .success(.object(map))
        case .reference(let table):
            guard let text = string() else { return fail("Expected an id, not \(value.typeName).") }
            if RecordID.isWellFormed(text) { return .success(.string(text.lowercased())) }
            switch table {
            case "users": return fail("no_such_user", "No such user in this workspace.")
            case "teams": return fail("no_such_team", "No such team in this workspace.")
            default: return fail("no_such_record", "No such record.")
            }
        case .count, .money:
            guard case .number(let number) = value, number >= 0, number <= 1e12, number.rounded() == number else {
                return fail("whole_number", "Expected a whole number of at least 0.")
            }
            return .success(.number(number))
        case .timestamp:
            return fail("This field is set by the server.")
        case .referenceList:
            guard case .array(let items) = value else { return fail("Expected an array of ids.") }
            var ids: [String] = []
            for item in items {
                guard case .string(let text) = item, RecordID.isWellFormed(text) else {
                    return fail("no_such_record", "No such record.")
                }
                if !ids.contains(text.lowercased()) { ids.append(text.lowercased()) }
            }
            if ids.count > 100 { return fail("too_many_references", "At most 100.") }
            return .success(.array(ids.map(JSONValue.string)))
        case .lineItems:
            return LineItem.normalise(value, field: name)
        case .dateTime:
            guard let text = string() else { return fail("Expected a string, not \(value.typeName).") }
            if text.isEmpty { return .success(.null) }
            guard let micros = moment(text) else {
                return fail(
                    "date_time", "Must be a time in RFC 3339 with its offset, such as 2026-12-05T09:30:00+01:00.")
            }
            return .success(.string(Timestamp.rfc3339(micros)))
        }
    }

    /// Control characters other than tab and line breaks are refused (NUL cannot even be stored), and so
    /// is a combining mark right after `"`, `'`, `<`, `>` or `&`: it would hide that character from HTML
    /// escaping that works on whole characters.
    package static func hasForbiddenControl(_ text: String) -> Bool {
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control && !"\t\n\r".unicodeScalars.contains(scalar) { return true }
            if let previous, "\"'<>&".unicodeScalars.contains(previous),
                category == .nonspacingMark || category == .enclosingMark || category == .spacingMark
            {
                return true
            }
            previous = scalar
        }
        return false
    }

    /// The microseconds of an RFC 3339 time with its offset (`Z` or `+01:00`), between 1970 and 9999; nil
    /// for anything else (a date alone, a time without an offset). Kept to the millisecond, as shown.
    package static func moment(_ text: String) -> Int64? {
        guard text.count >= 20, text.count <= 40,
            text.range(of: #"([Zz]|[+-][0-9]{2}:[0-9]{2})$"#, options: .regularExpression) != nil,
            let date = Timestamp.parseWithOffset(text)
        else { return nil }
        let micros = Timestamp.micros(date)
        guard micros >= 0, micros < 253_402_300_800_000_000 else { return nil }
        return micros - micros % 1000
    }

    /// `YYYY-MM-DD` naming a real day.
    package static func isDate(_ text: String) -> Bool {
        guard text.utf8.count == 10,
            text.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil
        else { return false }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard let date = calendar.date(from: components) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == parts[0] && back.month == parts[1] && back.day == parts[2]
    }

    static func isDomain(_ text: String) -> Bool {
        text.range(of: #"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"#, options: .regularExpression) != nil
    }
}

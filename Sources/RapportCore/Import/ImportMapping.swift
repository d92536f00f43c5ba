import Foundation

/// How CSV columns map to a contact's or company's fields: header names as HubSpot, Salesforce, Google
/// Contacts and Outlook write them are recognised (case, spaces and punctuation ignored), and cells are
/// read the way those tools write values (country names, HubSpot's lifecycle labels, lists).
package enum ImportMapping {
    /// What a column fills.
    package enum Target: Sendable, Equatable {
        /// A Rapport id, to match an existing record.
        case id
        case field(String)
        case custom(String)
        /// A reference filled by the referenced record's name (a contact's company; created when missing).
        case referenceName(String)
        /// The type (mobile, work, home, other) of the row's phone numbers, as Google's `Phone 1 - Type`.
        case phoneType
        /// A note on the record's timeline, written with the record's import.
        case note

        /// The target as a mapping names it: a field, `custom.KEY`, `company_name`, `id`, `phone_type` or
        /// `note`.
        package var name: String {
            switch self {
            case .id: "id"
            case .field(let name): name
            case .custom(let key): "custom.\(key)"
            case .referenceName(let field): field.dropLast(3) + "_name"
            case .phoneType: "phone_type"
            case .note: "note"
            }
        }
    }

    /// Every target a column of `schema` can go to, in the order a picker lists them: the record's id,
    /// its writable fields (a name reference as the referenced record's name), the phones' type, a
    /// timeline note, then the custom fields.
    package static func targets(schema: ObjectType, customFields: [CustomFieldDefinition]) -> [Target] {
        let aliases = Set(schema.importAliases.values.map(\.name))
        var targets: [Target] = aliases.contains("id") ? [.id] : []
        for field in schema.fields where field.writable {
            if schema.importAliases.values.contains(.referenceName(field.name)) {
                targets.append(.referenceName(field.name))
            } else {
                targets.append(.field(field.name))
            }
        }
        if aliases.contains("phone_type") { targets.append(.phoneType) }
        if aliases.contains("note") { targets.append(.note) }
        return targets + customFields.map { .custom($0.key) }
    }

    /// The target a mapping names, or nil when `schema` has none of that name.
    package static func target(named name: String, schema: ObjectType, customFields: [CustomFieldDefinition])
        -> Target?
    {
        targets(schema: schema, customFields: customFields).first { $0.name == name }
            ?? (schema.field(name)?.writable == true ? .field(name) : nil)
    }

    /// A mapping chosen column by column (the import wizard's pickers): `choices[index]` names the
    /// target of the column at `index` (see `Target.name`); a column left out, or chosen as `-` or
    /// empty, is ignored.
    /// - Throws: `invalid` naming the column, for a target that does not exist and for a target chosen
    ///   for two columns.
    package static func explicit(
        headers: [String], choices: [Int: String], schema: ObjectType, customFields: [CustomFieldDefinition]
    ) throws -> (targets: [Int: Target], ignored: [String]) {
        var targets: [Int: Target] = [:]
        var ignored: [String] = []
        var issues: [FieldIssue] = []
        var chosenBy: [String: String] = [:]
        for (index, header) in headers.enumerated() {
            let wanted = choices[index] ?? ""
            if wanted.isEmpty || wanted == "-" {
                ignored.append(header)
                continue
            }
            guard let target = target(named: wanted, schema: schema, customFields: customFields) else {
                issues.append(FieldIssue("map", "Column \"\(header)\": there is no field \(wanted)."))
                continue
            }
            // (a reference by name and by id fill the same field)
            let slot: String
            if case .referenceName(let field) = target { slot = field } else { slot = target.name }
            if let earlier = chosenBy[slot] {
                issues.append(
                    FieldIssue(
                        "map",
                        "Columns \"\(earlier)\" and \"\(header)\" both go to \(wanted); choose it for one column only."
                    ))
                continue
            }
            chosenBy[slot] = header
            targets[index] = target
        }
        for index in choices.keys.sorted() where index < 0 || index >= headers.count {
            issues.append(FieldIssue("map", "The file has no column \(index + 1)."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return (targets, ignored)
    }

    /// A header name reduced to letters and digits, lower-cased.
    package static func key(_ header: String) -> String {
        SearchKey.normalize(header).filter { $0.isLetter || $0.isNumber }
    }

    static let contactAliases: [String: Target] = [
        "id": .id,
        "firstname": .field("first_name"), "givenname": .field("first_name"), "first": .field("first_name"),
        "lastname": .field("last_name"), "familyname": .field("last_name"), "surname": .field("last_name"),
        "email": .field("email"), "emailaddress": .field("email"), "email1value": .field("email"),
        "primaryemail": .field("email"), "workemail": .field("email"),
        "additionalemails": .field("additional_emails"), "email2value": .field("additional_emails"),
        "email2address": .field("additional_emails"), "secondaryemail": .field("additional_emails"),
        "phone": .field("phones"), "phones": .field("phones"), "phonenumber": .field("phones"),
        "mobilephone": .field("phones"), "mobile": .field("phones"), "phone1value": .field("phones"),
        "businessphone": .field("phones"),
        "jobtitle": .field("job_title"), "title": .field("job_title"),
        "company": .referenceName("company_id"), "companyname": .referenceName("company_id"),
        "organization1name": .referenceName("company_id"),
        "organizationname": .referenceName("company_id"), "accountname": .referenceName("company_id"),
        "companyid": .field("company_id"),
        "lifecyclestage": .field("lifecycle_stage"), "leadstatus": .field("lead_status"),
        "source": .field("source"), "leadsource": .field("source"), "originalsource": .field("source"),
        "tags": .field("tags"), "emailconsent": .field("email_consent"),
        "emailconsentsource": .field("email_consent_source"),
        "birthday": .field("birthday"), "birthdate": .field("birthday"),
        "country": .field("country"), "countryregion": .field("country"), "mailingcountry": .field("country"),
        "businesscountryregion": .field("country"),
        "region": .field("region"), "state": .field("region"), "stateregion": .field("region"),
        "mailingstate": .field("region"),
        "city": .field("city"), "mailingcity": .field("city"), "businesscity": .field("city"),
        "timezone": .field("time_zone"), "language": .field("language"), "preferredlanguage": .field("language"),
        "socialprofiles": .field("social_profiles"), "ownerid": .field("owner_id"),
        "owner": .field("owner_id"), "owneremail": .field("owner_id"), "contactowner": .field("owner_id"),
        "teamid": .field("team_id"), "team": .field("team_id"), "teamname": .field("team_id"),
        // Google Contacts' standard columns
        "organization1title": .field("job_title"), "phone1type": .phoneType, "address1city": .field("city"),
        "address1country": .field("country"), "address1region": .field("region"), "groupmembership": .field("tags"),
        "notes": .note, "note": .note,
    ]

    static let companyAliases: [String: Target] = [
        "id": .id,
        "name": .field("name"), "companyname": .field("name"), "accountname": .field("name"),
        "domain": .field("domain"), "companydomainname": .field("domain"), "website": .field("domain"),
        "websiteurl": .field("domain"),
        "industry": .field("industry"), "size": .field("size"), "numberofemployees": .field("size"),
        "employees": .field("size"),
        "country": .field("country"), "countryregion": .field("country"), "billingcountry": .field("country"),
        "city": .field("city"), "billingcity": .field("city"), "ownerid": .field("owner_id"), "tags": .field("tags"),
        "owner": .field("owner_id"), "owneremail": .field("owner_id"), "companyowner": .field("owner_id"),
        "teamid": .field("team_id"), "team": .field("team_id"), "teamname": .field("team_id"),
        "notes": .note, "note": .note,
    ]

    /// The automatic mapping of a header row; `overrides` (`COLUMN → FIELD` or `custom.KEY`) win.
    /// A column maps only once per field: later columns for the same field are ignored.
    /// - Returns: a target per column index, and the names of the ignored columns.
    package static func automatic(
        headers: [String], schema: ObjectType, customFields: [CustomFieldDefinition],
        overrides: [String: String] = [:]
    ) throws -> (targets: [Int: Target], ignored: [String]) {
        let aliases = schema.importAliases
        var targets: [Int: Target] = [:]
        var ignored: [String] = []
        var issues: [FieldIssue] = []
        var used = Set<String>()
        let overrideKeys = Dictionary(overrides.map { (key($0.key), $0.value) }, uniquingKeysWith: { _, new in new })
        for (index, header) in headers.enumerated() {
            let normal = key(header)
            var target: Target?
            if let wanted = overrides[header] ?? overrideKeys[normal] {
                if wanted.isEmpty || wanted == "-" {
                    target = nil
                } else if let found = Self.target(named: wanted, schema: schema, customFields: customFields) {
                    target = found
                } else if wanted.hasPrefix("custom.") {
                    issues.append(FieldIssue("map", "\(header): there is no custom field \(wanted.dropFirst(7))."))
                } else {
                    issues.append(FieldIssue("map", "\(header): there is no field \(wanted)."))
                }
            } else if let alias = aliases[normal] {
                target = alias
            } else if normal.hasPrefix("custom"),
                let definition = customFields.first(where: { key("custom." + $0.key) == normal })
            {
                target = .custom(definition.key)
            } else if let definition = customFields.first(where: { key($0.key) == normal || key($0.label) == normal }) {
                target = .custom(definition.key)
            } else if let field = schema.fields.first(where: { key($0.name) == normal && $0.writable }) {
                target = .field(field.name)
            }
            let usage = target.map { "\($0)" } ?? ""
            if let target, !used.contains(usage) {
                targets[index] = target
                used.insert(usage)
            } else {
                ignored.append(header)
            }
        }
        // A file with a reference's id and its name (Rapport's own export) is matched by the name, which
        // means the same in another workspace; the id column is left out.
        for (index, target) in targets.sorted(by: { $0.key < $1.key }) {
            if case .field(let field) = target, targets.values.contains(.referenceName(field)) {
                targets[index] = nil
                ignored.append(headers[index])
            }
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return (targets, ignored)
    }

    /// Country names in English, Persian, Ukrainian and Danish (as Foundation names them), and a few
    /// common forms, to ISO codes; built once.
    static let countryNames: [String: String] = {
        var names: [String: String] = [:]
        for language in ["da", "uk", "fa", "en_US"] {
            let locale = Locale(identifier: language)
            for code in Countries.codes {
                if let name = locale.localizedString(forRegionCode: code) { names[key(name)] = code }
            }
        }
        for (name, code) in [
            ("usa", "US"), ("unitedstatesofamerica", "US"), ("uk", "GB"), ("greatbritain", "GB"), ("england", "GB"),
            ("iran", "IR"), ("islamicrepublicofiran", "IR"), ("russia", "RU"), ("southkorea", "KR"), ("holland", "NL"),
            ("danmark", "DK"), ("ukraina", "UA"),
        ] {
            names[name] = code
        }
        return names
    }()

    /// The code of a country named in English, Persian, Ukrainian or Danish, or given by its code.
    package static func countryCode(_ text: String) -> String? {
        Countries.code(text) ?? countryNames[key(text)]
    }

    /// Google Contacts' separator between several values of one cell ("* myContacts ::: Friends").
    static let googleSeparator = " ::: "

    /// A cell of several values as Google writes them ("a@x.dk ::: b@x.dk"): the first and the others;
    /// nil for a cell of one value.
    package static func googleList(_ cell: String) -> (first: String, others: [String])? {
        guard cell.contains(googleSeparator) else { return nil }
        let values = cell.components(separatedBy: googleSeparator).map { $0.trimmed() }.filter { !$0.isEmpty }
        guard let first = values.first else { return nil }
        return (first, Array(values.dropFirst()))
    }

    /// Google's group labels as tags: its system group "* myContacts" (every contact has it) dropped,
    /// the star of the other system groups ("* starred") removed.
    static func googleGroups(_ text: String) -> [String] {
        text.components(separatedBy: googleSeparator).compactMap { group in
            let group = group.trimmed(newlines: false)
            if group.isEmpty || group.lowercased() == "* mycontacts" { return nil }
            return group.hasPrefix("* ") ? String(group.dropFirst(2)).trimmed(newlines: false) : group
        }
    }

    /// HubSpot's lifecycle stage labels.
    static let stageLabels: [String: String] = [
        "subscriber": "subscriber", "lead": "lead", "marketingqualifiedlead": "mql", "mql": "mql",
        "salesqualifiedlead": "sql", "sql": "sql", "opportunity": "opportunity", "customer": "customer",
        "evangelist": "evangelist", "churned": "churned", "other": "other",
    ]

    /// A cell as the JSON value a field takes (validation happens when it is applied).
    package static func value(_ cell: String, for kind: FieldKind, field: String) -> JSONValue {
        let text = CSVWriter.unguard(cell).trimmed()
        func list() -> [String] {
            if text.contains(googleSeparator) || text.hasPrefix("* ") { return googleGroups(text) }
            if text.hasPrefix("["),
                case .array(let items)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            {
                return items.compactMap { if case .string(let item) = $0 { item } else { nil } }
            }
            let separator: Character = text.contains(";") ? ";" : ","
            return text.split(separator: separator).map { String($0).trimmed(newlines: false) }.filter {
                !$0.isEmpty
            }
        }
        switch kind {
        case .tags, .emailList:
            return .array(list().map(JSONValue.string))
        case .phones:
            if text.hasPrefix("["), let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
                return parsed
            }
            let numbers =
                text.contains(googleSeparator)
                ? text.components(separatedBy: googleSeparator)
                : text.split(separator: text.contains(";") ? ";" : "\n").map(String.init)
            return .array(
                numbers.map { $0.trimmed(newlines: false) }.filter { !$0.isEmpty }
                    .map { .object(["type": .string("other"), "number": .string($0)]) })
        case .stringMap:
            return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        case .count, .money:
            return Double(text.replacingOccurrences(of: ",", with: "")).map(JSONValue.number) ?? .string(text)
        case .boolean:
            return customValue(text, type: .boolean)
        case .country:
            if Countries.code(text) != nil { return .string(text) }
            return .string(countryCode(text) ?? text)
        case .choice:
            if field == "lifecycle_stage", let stage = stageLabels[key(text)] { return .string(stage) }
            return .string(field == "email_consent" ? text.lowercased() : text)
        default:
            return .string(text)
        }
    }

    /// Google's phone type label (`Mobile`, `Work`, `Home`, `Main`, `Work Fax` …) as a Rapport phone type.
    package static func phoneType(_ cell: String) -> String {
        let label = key(CSVWriter.unguard(cell).components(separatedBy: googleSeparator).first ?? "")
        if Phone.types.contains(label) { return label }
        switch label {
        case "cell", "cellphone", "mobilephone", "iphone": return "mobile"
        case "workphone", "business", "businessphone", "main", "company", "workfax": return "work"
        case "homephone", "homefax", "private": return "home"
        default: return "other"
        }
    }

    /// A cell for a custom field of `type`.
    package static func customValue(_ cell: String, type: CustomFieldType) -> JSONValue {
        let text = CSVWriter.unguard(cell).trimmed()
        switch type {
        case .number: return Double(text).map(JSONValue.number) ?? .string(text)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return .string(text)
            }
        case .multi_select: return value(text, for: .tags, field: "")
        default: return .string(text)
        }
    }
}

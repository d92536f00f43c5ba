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
                } else if wanted == "id" {
                    target = .id
                } else if wanted.hasSuffix("_name"),
                    let field = schema.importAliases.values.lazy.compactMap({ target -> String? in
                        if case .referenceName(let field) = target { field } else { nil }
                    }).first(where: { $0.dropLast(3) + "_name" == wanted })
                {
                    target = .referenceName(field)
                } else if wanted.hasPrefix("custom.") {
                    let customKey = String(wanted.dropFirst("custom.".count))
                    if customFields.contains(where: { $0.key == customKey }) {
                        target = .custom(customKey)
                    } else {
                        issues.append(FieldIssue("map", "\(header): there is no custom field \(customKey)."))
                    }
                } else if let field = schema.field(wanted), field.writable {
                    target = .field(wanted)
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
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        return (targets, ignored)
    }

    /// English country names (and a few common forms) to ISO codes.
    static let countryNames: [String: String] = {
        var names: [String: String] = [:]
        let english = Locale(identifier: "en_US")
        for code in Countries.codes {
            if let name = english.localizedString(forRegionCode: code) { names[key(name)] = code }
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
            let separator: Character = text.contains(";") ? ";" : "\n"
            return .array(
                text.split(separator: separator).map { String($0).trimmed(newlines: false) }.filter { !$0.isEmpty }
                    .map { .object(["type": .string("other"), "number": .string($0)]) })
        case .stringMap:
            return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        case .count, .money:
            return Double(text.replacingOccurrences(of: ",", with: "")).map(JSONValue.number) ?? .string(text)
        case .boolean:
            return customValue(text, type: .boolean)
        case .country:
            if Countries.code(text) != nil { return .string(text) }
            return .string(countryNames[key(text)] ?? text)
        case .choice:
            if field == "lifecycle_stage", let stage = stageLabels[key(text)] { return .string(stage) }
            return .string(field == "email_consent" ? text.lowercased() : text)
        default:
            return .string(text)
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

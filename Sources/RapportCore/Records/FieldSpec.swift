import Foundation

/// What kind of value a standard field holds: decides validation, storage and the filters it accepts.
package enum FieldKind: Sendable, Equatable {
    /// Free text up to a length; blank becomes null.
    case text(maxLength: Int)
    /// One address, trimmed and lower-cased.
    case email
    /// Several addresses, each trimmed and lower-cased.
    case emailList
    /// One of a fixed list.
    case choice([String])
    /// ISO 3166-1 alpha-2.
    case country
    /// An IANA time zone name.
    case timeZone
    /// A BCP 47 language tag.
    case languageTag
    /// `YYYY-MM-DD`.
    case date
    /// Distinct short labels.
    case tags
    /// `[{"type", "number"}]`.
    case phones
    /// `{"name": "value"}` of strings.
    case stringMap
    /// The id of another record of the workspace (`companies`, `users`).
    case reference(String)
    /// A whole number, at least 0.
    case count
    /// A moment set by the server, stored as microseconds and shown as RFC 3339.
    case timestamp

    /// Values held as JSON text in one column (arrays and maps).
    package var isStructured: Bool {
        switch self {
        case .emailList, .tags, .phones, .stringMap: true
        default: false
        }
    }

    /// The value a field has when nothing was given.
    package var emptyValue: JSONValue {
        switch self {
        case .emailList, .tags, .phones: .array([])
        case .stringMap: .object([:])
        default: .null
        }
    }
}

/// One standard field of an object.
package struct FieldSpec: Sendable {
    package var name: String
    package var kind: FieldKind
    /// A field that cannot be null (it has a default instead).
    package var defaultValue: JSONValue? = nil
    /// False for fields only the server sets.
    package var writable = true

    package init(_ name: String, _ kind: FieldKind, defaultValue: JSONValue? = nil, writable: Bool = true) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.writable = writable
    }
}

/// The standard fields of contacts and companies, in the order the API shows them.
package struct RecordSchema: Sendable {
    /// `contacts` or `companies`: the table and the custom-field object name.
    package var object: String
    /// `contact` or `company`: the record type in events and audit entries.
    package var recordType: String
    package var fields: [FieldSpec]

    package func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }

    package static let lifecycleStages = [
        "subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "churned", "other",
    ]

    package static let contacts = RecordSchema(
        object: "contacts", recordType: "contact",
        fields: [
            FieldSpec("first_name", .text(maxLength: 200)),
            FieldSpec("last_name", .text(maxLength: 200)),
            FieldSpec("email", .email),
            FieldSpec("additional_emails", .emailList),
            FieldSpec("phones", .phones),
            FieldSpec("job_title", .text(maxLength: 200)),
            FieldSpec("company_id", .reference("companies")),
            FieldSpec("lifecycle_stage", .choice(lifecycleStages)),
            FieldSpec("lead_status", .text(maxLength: 100)),
            FieldSpec("owner_id", .reference("users")),
            FieldSpec("source", .text(maxLength: 200)),
            FieldSpec("tags", .tags),
            FieldSpec(
                "email_consent", .choice(["subscribed", "unsubscribed", "unknown"]), defaultValue: .string("unknown")),
            FieldSpec("email_consent_changed_at", .timestamp, writable: false),
            FieldSpec("email_consent_source", .text(maxLength: 200)),
            FieldSpec("birthday", .date),
            FieldSpec("country", .country),
            FieldSpec("region", .text(maxLength: 200)),
            FieldSpec("city", .text(maxLength: 200)),
            FieldSpec("time_zone", .timeZone),
            FieldSpec("language", .languageTag),
            FieldSpec("social_profiles", .stringMap),
        ])

    package static let companies = RecordSchema(
        object: "companies", recordType: "company",
        fields: [
            FieldSpec("name", .text(maxLength: 300)),
            FieldSpec("domain", .text(maxLength: 253)),
            FieldSpec("industry", .text(maxLength: 200)),
            FieldSpec("size", .count),
            FieldSpec("country", .country),
            FieldSpec("city", .text(maxLength: 200)),
            FieldSpec("owner_id", .reference("users")),
            FieldSpec("tags", .tags),
        ])
}

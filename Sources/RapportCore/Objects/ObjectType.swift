import Foundation

/// One kind of CRM record, described once: its fields, what it is called, how it is found, how it is
/// told apart from others, where its events go and how its lists look. `ObjectCatalog` registers every
/// one; the repository, the services, the API, the pages, import and export are written once over this
/// description, and per-object behaviour lives in its `rules`.
package struct ObjectType: Sendable {
    /// Plural snake_case: the table, the path (`/api/v1/contacts`, `/contacts`) and the custom fields' object.
    package var name: String
    /// Singular: the record type in events and audit entries, and the noun in messages (`contact`).
    package var recordType: String
    /// The standard fields, in the order the API shows them.
    package var fields: [FieldSpec]
    /// What a record is called: the first group of fields with a value, its values joined by spaces.
    package var title: [[String]]
    /// A field shown under the title where records are listed compactly (a contact's job title).
    package var subtitle: String?
    /// At least one of these must have a value, else `requiredMessage` (on the first of them).
    package var required: [String]
    package var requiredMessage: String
    /// How records are told apart: what is unique in the workspace, and what an import matches on.
    package var identity: [IdentityKey] = []
    /// What a record is found by in search.
    package var search: SearchSpec
    /// The list page's columns, sorts and filters.
    package var list: ListSpec
    /// Where its events go on the timeline; nil when it has none (its changes are in the audit log).
    package var timeline: TimelineLink?
    /// CSV header names (as `ImportMapping.key` reduces them) other tools write for its fields.
    package var importAliases: [String: ImportMapping.Target] = [:]
    /// How two records may be the same one, for suggested duplicates; none for an object without rules.
    package var duplicates: [DuplicateRule] = []
    /// A reference filled from the domain of an address when left empty (a contact joins its company).
    package var domainLink: DomainLink?
    /// The home page's panel of the user's own records of this object; nil for none.
    package var homePanel: HomePanel?
    /// The field naming the user a record belongs to, which `own` and `team` visibility key on with
    /// `team_id` (a task's assignee); `owner_id` by default.
    package var ownerField = "owner_id"
    /// Whether the import wizard, `/api/v1/imports` and `rapport import` take this object (deals and
    /// tasks do not yet: an import writes no stage history and no reminders).
    package var importable = true
    /// Behaviour beyond the description; does nothing by default.
    package var rules: any ObjectRules = NoRules()

    package init(
        name: String, recordType: String, fields: [FieldSpec], title: [[String]], required: [String],
        requiredMessage: String, search: SearchSpec, list: ListSpec
    ) {
        self.name = name
        self.recordType = recordType
        self.fields = fields
        self.title = title
        self.required = required
        self.requiredMessage = requiredMessage
        self.search = search
        self.list = list
    }

    /// A standard field by name.
    package func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }

    /// What a record is called (an empty string when none of the title's fields has a value).
    package func title(of record: Record) -> String {
        for group in title {
            let parts = group.compactMap { record.string($0) }
            if !parts.isEmpty { return parts.joined(separator: " ") }
        }
        return ""
    }

    /// `The contact`, for messages such as "The contact was not found."
    package var the: String { "The \(recordType)" }

    /// The fields that must be unique in the workspace, besides addresses.
    package var uniqueFields: [(field: String, label: String)] {
        identity.compactMap { if case .unique(let field, let label) = $0 { (field, label) } else { nil } }
    }

    /// Whether every address of a record is unique in the workspace (`contact_emails`).
    package var hasUniqueEmails: Bool { identity.contains { if case .emails = $0 { true } else { false } } }

    /// The field an import matches on when nothing unique matched (a company's name).
    package var nameKey: String? {
        identity.lazy.compactMap { if case .name(let field) = $0 { field } else { nil } }.first
    }

    /// Reference fields pointing at records of `target` (a contact's `company_id` for `companies`).
    package func references(to target: String) -> [String] {
        fields.compactMap { if case .reference(target) = $0.kind { $0.name } else { nil } }
    }

    /// Whether it has fields that list other records (kept in `record_links` too).
    package var hasListReferences: Bool { fields.contains { $0.kind.listedReferences(in: .array([])) != nil } }

    /// The message when a unique key is taken by another record.
    package var conflictMessage: String {
        if hasUniqueEmails { return "Another \(recordType) already has this email address." }
        if let unique = uniqueFields.first { return "Another \(recordType) already has this \(unique.label)." }
        return "Another \(recordType) has the same key."
    }
}

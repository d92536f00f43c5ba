import Foundation

extension ObjectType {
    /// People: the contacts of a workspace.
    package static let contacts: ObjectType = {
        var type = ObjectType(
            name: "contacts", recordType: "contact",
            fields: [
                FieldSpec("first_name", .text(maxLength: 200)),
                FieldSpec("last_name", .text(maxLength: 200)),
                FieldSpec("email", .email),
                FieldSpec("additional_emails", .emailList),
                FieldSpec("phones", .phones),
                FieldSpec("job_title", .text(maxLength: 200)),
                FieldSpec("company_id", .reference("companies")),
                FieldSpec("lifecycle_stage", .choice(LifecycleStage.all)),
                FieldSpec("lead_status", .text(maxLength: 100)),
                FieldSpec("owner_id", .reference("users")),
                FieldSpec("team_id", .reference("teams")),
                FieldSpec("source", .text(maxLength: 200)),
                FieldSpec("tags", .tags),
                FieldSpec(
                    "email_consent", .choice(["subscribed", "unsubscribed", "unknown"]),
                    defaultValue: .string("unknown")),
                FieldSpec("email_consent_changed_at", .timestamp, writable: false),
                FieldSpec("email_consent_source", .text(maxLength: 200)),
                FieldSpec("email_status", .choice(["ok", "undeliverable"]), defaultValue: .string("ok")),
                FieldSpec("birthday", .date),
                FieldSpec("country", .country),
                FieldSpec("region", .text(maxLength: 200)),
                FieldSpec("city", .text(maxLength: 200)),
                FieldSpec("time_zone", .timeZone),
                FieldSpec("language", .languageTag),
                FieldSpec("social_profiles", .stringMap),
                FieldSpec("external_id", .text(maxLength: 200)),
            ],
            title: [["first_name", "last_name"], ["email"]],
            required: ["email", "first_name", "last_name"],
            requiredMessage: "A contact needs a first name, a last name or an email.",
            search: SearchSpec(
                whole: ["email", "additional_emails"], words: ["tags"], phones: ["phones"], reference: "company_id",
                emailKey: "email"),
            list: ListSpec(
                columns: ["email", "company_id", "lifecycle_stage", "country", "tags"],
                sorts: [
                    ("-created_at", "sort_newest"), ("created_at", "sort_oldest"), ("last_name", "sort_last_name"),
                    ("first_name", "sort_first_name"), ("-updated_at", "sort_updated"),
                ],
                filters: ["lifecycle_stage", "owner_id", "team_id", "country", "tags"]))
        type.identity = [.emails, .unique("external_id", label: "external id")]
        type.subtitle = "job_title"
        type.timeline = TimelineLink(column: "contact_id", also: [("company_id", "company_id")])
        type.domainLink = DomainLink(
            field: "company_id", emailField: "email", target: "companies", targetField: "domain")
        type.importAliases = ImportMapping.contactAliases
        type.homePanel = .recentlyChanged
        type.duplicates = [
            DuplicateRule("email", fields: ["email", "additional_emails"], match: .email),
            DuplicateRule("phone", fields: ["phones"], match: .phone),
            DuplicateRule("name", fields: ["first_name", "last_name"], match: .personName, within: "company_id"),
        ]
        type.rules = ContactRules()
        return type
    }()
}

/// Where a contact is in the customer cycle.
package enum LifecycleStage {
    package static let all = [
        "subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "churned", "other",
    ]
}

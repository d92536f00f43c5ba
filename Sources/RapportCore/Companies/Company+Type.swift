import Foundation

extension ObjectType {
    /// Organisations: the companies (accounts) of a workspace.
    package static let companies: ObjectType = {
        var type = ObjectType(
            name: "companies", recordType: "company",
            fields: [
                FieldSpec("name", .text(maxLength: 300)),
                FieldSpec("domain", .domain),
                FieldSpec("industry", .text(maxLength: 200)),
                FieldSpec("size", .count),
                FieldSpec("country", .country),
                FieldSpec("city", .text(maxLength: 200)),
                FieldSpec("lifecycle_stage", .choice(LifecycleStage.all)),
                FieldSpec("owner_id", .reference("users")),
                FieldSpec("team_id", .reference("teams")),
                FieldSpec("tags", .tags),
                FieldSpec("external_id", .text(maxLength: 200)),
            ],
            title: [["name"]],
            required: ["name"],
            requiredMessage: "A company needs a name.",
            search: SearchSpec(whole: ["domain"], words: ["tags"]),
            list: ListSpec(
                columns: ["domain", "industry", "size", "country", "tags"],
                sorts: [
                    ("-created_at", "sort_newest"), ("name", "sort_name"), ("-size", "sort_size"),
                    ("-updated_at", "sort_updated"),
                ],
                filters: ["industry", "lifecycle_stage", "owner_id", "team_id", "country", "tags"]))
        type.identity = [
            .unique("domain", label: "domain"), .unique("external_id", label: "external id"), .name("name"),
        ]
        type.subtitle = "domain"
        type.timeline = TimelineLink(column: "company_id")
        type.rules = CompanyRules()
        type.importAliases = ImportMapping.companyAliases
        type.homePanel = .recentlyChanged
        type.duplicates = [
            DuplicateRule("domain", fields: ["domain"], match: .domain),
            DuplicateRule("name", fields: ["name"], match: .organisationName),
        ]
        return type
    }()
}

/// A company's own rule: its lifecycle stage on the timeline, as a contact's.
struct CompanyRules: ObjectRules {
    func events(after record: Record, before: Record) -> [(type: String, data: [String: JSONValue])] {
        guard record["lifecycle_stage"] != before["lifecycle_stage"] else { return [] }
        return [("lifecycle_changed", ["from": before["lifecycle_stage"], "to": record["lifecycle_stage"]])]
    }
}

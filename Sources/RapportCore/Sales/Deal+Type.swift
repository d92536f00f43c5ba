import Foundation

extension ObjectType {
    /// Deals: what a workspace hopes to sell, worked through the stages of a pipeline.
    package static let deals: ObjectType = {
        var type = ObjectType(
            name: "deals", recordType: "deal",
            fields: [
                FieldSpec("name", .text(maxLength: 300)),
                FieldSpec("amount", .money(currency: "currency")),
                FieldSpec("currency", .currency),
                FieldSpec("pipeline_id", .reference("pipelines")),
                FieldSpec("stage_id", .reference("stages")),
                FieldSpec("owner_id", .reference("users")),
                FieldSpec("team_id", .reference("teams")),
                FieldSpec("company_id", .reference("companies")),
                FieldSpec("contact_ids", .referenceList("contacts")),
                FieldSpec("contact_roles", .stringMap),
                FieldSpec("expected_close_date", .date),
                FieldSpec("source", .text(maxLength: 200)),
                FieldSpec("tags", .tags),
                FieldSpec("status", .choice(StageKind.allCases.map(\.rawValue)), writable: false),
                FieldSpec("lost_reason", .text(maxLength: 500)),
                FieldSpec("closed_at", .timestamp, writable: false),
                FieldSpec("line_items", .lineItems),
            ],
            title: [["name"]],
            required: ["name"],
            requiredMessage: "A deal needs a name.",
            search: SearchSpec(words: ["tags"], reference: "company_id"),
            list: ListSpec(
                columns: ["amount", "stage_id", "company_id", "expected_close_date", "owner_id"],
                sorts: [
                    ("-created_at", "sort_newest"), ("expected_close_date", "sort_close_date"),
                    ("-amount", "sort_amount"), ("name", "sort_name"), ("-updated_at", "sort_updated"),
                ],
                filters: [
                    "pipeline_id", "stage_id", "status", "owner_id", "team_id", "company_id", "expected_close_date",
                    "amount", "tags",
                ]))
        type.subtitle = "amount"
        type.timeline = TimelineLink(column: "deal_id", also: [("company_id", "company_id")])
        type.homePanel = HomePanel(
            sort: .init(target: .standard(name: "expected_close_date", kind: .date), descending: false),
            filters: [
                .init(
                    target: .standard(name: "status", kind: .choice(StageKind.allCases.map(\.rawValue))), op: .equals,
                    value: .string("open"))
            ])
        type.importable = false
        type.rules = DealRules()
        return type
    }()
}

extension ObjectType {
    /// The roles a page offers for a deal's contacts (`contact_roles`): the API keeps any short text, and a
    /// page keeps a role it does not offer as it is.
    package static let dealContactRoles = ["decision_maker", "champion", "influencer", "user", "other"]
}

/// A deal's own rules: its amount is its lines' sum when it has lines, and a contact's role names one
/// of its contacts.
struct DealRules: ObjectRules {
    func validate(_ record: Record) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if record["amount"] != .null && record["currency"] == .null {
            issues.append(
                FieldIssue(
                    "currency", key: "amount_currency", "An amount needs a currency (an ISO 4217 code such as DKK)."))
        }
        if case .object(let roles) = record["contact_roles"] {
            let contacts = record.strings("contact_ids")
            for key in roles.keys.sorted() where !contacts.contains(key) {
                issues.append(
                    FieldIssue(
                        "contact_roles.\(key)", key: "role_not_contact", "A role names one of the deal's contacts."))
            }
        }
        return issues
    }

    func prepare(_ record: inout Record, before: Record?, now: Int64) {
        if !LineItem.lines(of: record["line_items"]).isEmpty {
            record.values["amount"] = .number(Double(LineItem.total(of: record["line_items"])))
        }
        // A contact no longer on the deal keeps no role.
        if case .object(let roles) = record["contact_roles"] {
            let contacts = Set(record.strings("contact_ids"))
            record.values["contact_roles"] = .object(roles.filter { contacts.contains($0.key) })
        }
    }
}

import Foundation

extension ObjectType {
    /// What a customer bought: a contact and/or a company, a time, a currency and lines of products; the
    /// total is the lines' sum. An order a deal was won with names the deal.
    package static let orders: ObjectType = {
        var type = ObjectType(
            name: "orders", recordType: "order",
            fields: [
                FieldSpec("reference", .text(maxLength: 100)),
                FieldSpec("contact_id", .reference("contacts")),
                FieldSpec("company_id", .reference("companies")),
                FieldSpec("deal_id", .reference("deals")),
                FieldSpec("ordered_at", .dateTime),
                FieldSpec("currency", .currency),
                FieldSpec("lines", .lineItems),
                FieldSpec("total", .money(currency: "currency"), writable: false),
                FieldSpec("owner_id", .reference("users")),
                FieldSpec("team_id", .reference("teams")),
            ],
            title: [["reference"], ["ordered_at"]],
            required: ["contact_id", "company_id"],
            requiredMessage: "An order is for a contact or a company (contact_id or company_id).",
            search: SearchSpec(whole: ["reference"]),
            list: ListSpec(
                columns: ["ordered_at", "contact_id", "company_id", "total", "owner_id"],
                sorts: [
                    ("-ordered_at", "sort_ordered_newest"), ("ordered_at", "sort_ordered_oldest"),
                    ("-total", "sort_total"), ("-created_at", "sort_newest"), ("-updated_at", "sort_updated"),
                ],
                filters: [
                    "contact_id", "company_id", "deal_id", "ordered_at", "currency", "total", "owner_id", "team_id",
                ]))
        type.identity = [.unique("reference", label: "reference")]
        type.subtitle = "total"
        type.importable = false
        type.rules = OrderRules()
        return type
    }()
}

/// An order's own rules: it has lines in one currency, its total is their sum, and it happened at a
/// time (when it was recorded, unless it says).
struct OrderRules: ObjectRules {
    func validate(_ record: Record) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if LineItem.lines(of: record["lines"]).isEmpty {
            issues.append(FieldIssue("lines", key: "order_lines", "An order needs at least one line."))
        }
        if record["currency"] == .null {
            issues.append(
                FieldIssue(
                    "currency", key: "order_currency", "An order needs a currency (an ISO 4217 code such as DKK)."))
        }
        return issues
    }

    func prepare(_ record: inout Record, before: Record?, now: Int64) {
        record.values["total"] = .number(Double(LineItem.total(of: record["lines"])))
        if record["ordered_at"] == .null {
            record.values["ordered_at"] = before?["ordered_at"] ?? .string(Timestamp.rfc3339(now))
        }
    }
}

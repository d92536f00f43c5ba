import Foundation

extension ObjectType {
    /// What a workspace sells: the products that deals' line items and orders refer to.
    package static let products: ObjectType = {
        var type = ObjectType(
            name: "products", recordType: "product",
            fields: [
                FieldSpec("name", .text(maxLength: 300)),
                FieldSpec("sku", .text(maxLength: 100)),
                FieldSpec("category", .text(maxLength: 200)),
                FieldSpec("unit_price", .money(currency: "currency")),
                FieldSpec("currency", .currency),
                FieldSpec("active", .boolean, defaultValue: .bool(true)),
            ],
            title: [["name"]],
            required: ["name"],
            requiredMessage: "A product needs a name.",
            search: SearchSpec(whole: ["sku"], words: ["category"]),
            list: ListSpec(
                columns: ["sku", "category", "unit_price", "active"],
                sorts: [
                    ("name", "sort_name"), ("-created_at", "sort_newest"), ("sku", "sort_sku"),
                    ("-unit_price", "sort_price"), ("-updated_at", "sort_updated"),
                ],
                filters: ["category", "currency", "active"]))
        type.identity = [.unique("sku", label: "SKU"), .name("name")]
        type.subtitle = "sku"
        type.importAliases = [
            "id": .id, "name": .field("name"), "productname": .field("name"), "title": .field("name"),
            "sku": .field("sku"), "productcode": .field("sku"), "itemnumber": .field("sku"), "code": .field("sku"),
            "category": .field("category"), "productcategory": .field("category"), "type": .field("category"),
            "unitprice": .field("unit_price"), "price": .field("unit_price"), "currency": .field("currency"),
            "active": .field("active"), "isactive": .field("active"),
        ]
        type.rules = ProductRules()
        return type
    }()
}

/// A product's own rule: a price is in a currency.
struct ProductRules: ObjectRules {
    func validate(_ record: Record) -> [FieldIssue] {
        record["unit_price"] != .null && record["currency"] == .null
            ? [FieldIssue("currency", "A price needs a currency (an ISO 4217 code such as DKK).")] : []
    }
}

import Foundation

/// One line of a deal or an order: a product, a whole quantity, a unit price and a discount off the
/// line, money in minor units of the record's currency.
package struct LineItem: Sendable, Equatable {
    package var productID: String
    package var quantity: Int64
    package var unitPrice: Int64
    package var discount: Int64

    package init(productID: String, quantity: Int64, unitPrice: Int64, discount: Int64 = 0) {
        self.productID = productID
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discount = discount
    }

    /// What the line costs: quantity × unit price, less its discount.
    package var total: Int64 { quantity * unitPrice - discount }

    /// At most this many lines on one record.
    package static let maxLines = 200

    /// The stored form of `line_items` (each line with all four members), or the first thing wrong,
    /// named by its path (`line_items[1].quantity`).
    package static func normalise(_ value: JSONValue, field: String) -> Result<JSONValue, FieldIssue> {
        guard case .array(let items) = value else {
            return .failure(FieldIssue(field, "Expected an array of line items."))
        }
        if items.count > maxLines {
            return .failure(
                FieldIssue(field, key: "too_many_lines", "At most {count} lines.", ["count": String(maxLines)]))
        }
        var lines: [JSONValue] = []
        for (index, item) in items.enumerated() {
            let path = "\(field)[\(index)]"
            guard case .object(let members) = item else {
                return .failure(FieldIssue(path, "Expected an object with product_id, quantity and unit_price."))
            }
            if let unknown = members.keys.sorted().first(where: {
                !["product_id", "quantity", "unit_price", "discount"].contains($0)
            }) {
                return .failure(FieldIssue("\(path).\(unknown)", "Unknown field."))
            }
            guard case .string(let product)? = members["product_id"], RecordID.isWellFormed(product) else {
                return .failure(FieldIssue("\(path).product_id", key: "line_product", "Each line needs a product."))
            }
            guard let quantity = whole(members["quantity"], least: 1) else {
                return .failure(
                    FieldIssue(
                        "\(path).quantity", key: "line_quantity", "The quantity must be a whole number of at least 1."))
            }
            guard let price = whole(members["unit_price"], least: 0) else {
                return .failure(
                    FieldIssue(
                        "\(path).unit_price", key: "line_price",
                        "The unit price must be a whole number of minor units, at least 0."))
            }
            let discount =
                members["discount"] == nil || members["discount"] == .null ? 0 : whole(members["discount"], least: 0)
            guard let discount else {
                return .failure(
                    FieldIssue(
                        "\(path).discount", key: "line_discount",
                        "The discount must be a whole number of minor units, at least 0."))
            }
            let (gross, overflow) = quantity.multipliedReportingOverflow(by: price)
            guard !overflow, gross <= 1_000_000_000_000 else {
                return .failure(FieldIssue("\(path).quantity", key: "line_too_large", "The line's total is too large."))
            }
            guard discount <= gross else {
                return .failure(
                    FieldIssue(
                        "\(path).discount", key: "line_discount_above_total",
                        "The discount cannot be more than the line's total."))
            }
            lines.append(
                .object([
                    "product_id": .string(product.lowercased()), "quantity": .number(Double(quantity)),
                    "unit_price": .number(Double(price)), "discount": .number(Double(discount)),
                ]))
        }
        return .success(.array(lines))
    }

    /// The lines of a stored `line_items` value.
    package static func lines(of value: JSONValue) -> [LineItem] {
        guard case .array(let items) = value else { return [] }
        return items.compactMap { item in
            guard case .object(let line) = item, case .string(let product)? = line["product_id"],
                case .number(let quantity)? = line["quantity"], case .number(let price)? = line["unit_price"]
            else { return nil }
            var discount: Int64 = 0
            if case .number(let value)? = line["discount"] { discount = Int64(value) }
            return LineItem(productID: product, quantity: Int64(quantity), unitPrice: Int64(price), discount: discount)
        }
    }

    /// The sum of the lines' totals.
    package static func total(of value: JSONValue) -> Int64 { lines(of: value).reduce(0) { $0 + $1.total } }

    static func whole(_ value: JSONValue?, least: Int64) -> Int64? {
        guard case .number(let number)? = value, number.rounded() == number, number >= Double(least),
            number <= 1e12
        else { return nil }
        return Int64(number)
    }
}

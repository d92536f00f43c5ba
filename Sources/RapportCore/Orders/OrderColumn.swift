import Foundation

/// A column of an order import (`rapport import orders`): one row per order line.
package enum OrderColumn: String, CaseIterable, Sendable {
    case orderReference = "order_reference"
    case customerEmail = "customer_email"
    case externalID = "external_id"
    case time
    case sku
    case productName = "product_name"
    case quantity
    case unitPrice = "unit_price"
    case currency

    /// Header names (as `ImportMapping.key` reduces them) that other tools write for each column.
    static let aliases: [String: OrderColumn] = [
        "orderreference": .orderReference, "reference": .orderReference, "orderid": .orderReference,
        "ordernumber": .orderReference, "orderno": .orderReference, "order": .orderReference,
        "invoicenumber": .orderReference, "invoiceno": .orderReference, "invoice": .orderReference,
        "customeremail": .customerEmail, "email": .customerEmail, "emailaddress": .customerEmail,
        "externalid": .externalID, "customerid": .externalID, "customerexternalid": .externalID,
        "customernumber": .externalID, "customerno": .externalID,
        "time": .time, "orderedat": .time, "orderdate": .time, "date": .time, "invoicedate": .time,
        "ordertime": .time,
        "sku": .sku, "productcode": .sku, "itemnumber": .sku, "stockcode": .sku, "productsku": .sku,
        "productname": .productName, "product": .productName, "item": .productName, "description": .productName,
        "quantity": .quantity, "qty": .quantity, "units": .quantity,
        "unitprice": .unitPrice, "price": .unitPrice,
        "currency": .currency, "currencycode": .currency,
    ]

    /// Which column of the file is which, by header (`overrides`: `COLUMN → column name`, or `-` to ignore
    /// the column), and the headers ignored.
    /// - Throws: `invalid` naming the problem: an override to no column, two columns for one, or a file
    ///   that lacks what identifies an order, its customer, a product, a price or a currency.
    package static func mapping(headers: [String], overrides: [String: String]) throws -> (
        columns: [Int: OrderColumn], ignored: [String]
    ) {
        var columns: [Int: OrderColumn] = [:]
        var ignored: [String] = []
        var issues: [FieldIssue] = []
        var taken: [OrderColumn: String] = [:]
        let overridden = Dictionary(
            overrides.map { (ImportMapping.key($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
        for key in overrides.keys where !headers.contains(where: { ImportMapping.key($0) == ImportMapping.key(key) }) {
            issues.append(FieldIssue("map", "The file has no column \"\(key)\"."))
        }
        for (index, header) in headers.enumerated() {
            let key = ImportMapping.key(header)
            var column: OrderColumn?
            if let wanted = overridden[key] {
                if wanted == "-" || wanted.isEmpty {
                    ignored.append(header)
                    continue
                }
                guard let named = OrderColumn(rawValue: wanted) ?? aliases[ImportMapping.key(wanted)] else {
                    issues.append(
                        FieldIssue(
                            "map",
                            "Column \"\(header)\": there is no column \(wanted) (choose one of \(allCases.map(\.rawValue).joined(separator: ", ")))."
                        ))
                    continue
                }
                column = named
            } else {
                column = aliases[key]
            }
            guard let column else {
                ignored.append(header)
                continue
            }
            if let earlier = taken[column] {
                if overridden[key] == nil {
                    ignored.append(header)
                    continue
                }
                issues.append(
                    FieldIssue(
                        "map",
                        "Columns \"\(earlier)\" and \"\(header)\" both go to \(column.rawValue); choose it for one column only."
                    ))
                continue
            }
            taken[column] = header
            columns[index] = column
        }
        let present = Set(columns.values)
        func need(_ any: [OrderColumn], _ message: String) {
            if present.isDisjoint(with: any) { issues.append(FieldIssue("file", message)) }
        }
        need([.orderReference], "The file needs an order_reference column (the rows of one order share it).")
        need([.customerEmail, .externalID], "The file needs a customer_email or an external_id column.")
        need([.sku, .productName], "The file needs a sku or a product_name column.")
        need([.unitPrice], "The file needs a unit_price column.")
        need([.currency], "The file needs a currency column.")
        if !issues.isEmpty {
            throw RapportError(
                .invalid, issues.map(\.message).joined(separator: " ") + " Nothing was imported.", fields: issues)
        }
        return (columns, ignored)
    }

    /// An amount written with a decimal point (`12.50`, `1250`, `-3`) in minor units of `currency`; nil
    /// for anything else, or for more decimals than the currency has.
    package static func minorUnits(_ text: String, currency: String) -> Int64? {
        Currencies.minorUnits(text, currency: currency)
    }

    /// A time as an order file gives it: RFC 3339 with its offset, or a date (midnight UTC), as
    /// microseconds; nil for anything else.
    package static func moment(_ text: String) -> Int64? {
        let text = text.trimmed(newlines: false)
        let full = text.utf8.count == 10 ? text + "T00:00:00Z" : text
        // (by hand first: Foundation's parser costs more than the rest of an order's work)
        if let micros = Timestamp.fastMicros(full) {
            guard micros >= 0, micros < 253_402_300_800_000_000 else { return nil }
            return micros - micros % 1000
        }
        return RecordPatch.moment(full)
    }
}

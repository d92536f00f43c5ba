import Foundation
import RapportCore
import RapportServices

/// A deal's (or an order's) line items as rows of the record form, and a deal's contacts as rows with their
/// roles. A row is named `FIELD[N].member`; a submitted form is read in the order of its rows, blank rows
/// and rows marked for removal left out, and shown again in that order, so that the service's
/// `line_items[1].quantity` is the second row shown. The form gives a blank row more; the "more rows"
/// button (and, with JavaScript, "add a line") gives more.
extension RecordPages {
    /// The button that asks for more blank rows instead of saving.
    static let moreRows = "more_rows"

    /// One line as the form holds it: what was typed, before it is checked.
    struct LineInput: Equatable {
        var product = ""
        var quantity = ""
        var unitPrice = ""
        var discount = ""

        var isBlank: Bool {
            [product, quantity, unitPrice, discount].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
    }

    /// One contact row: what was typed, the id picked for it and the title it was picked by, and its role.
    struct ContactInput: Equatable {
        var text = ""
        var picked = ""
        var pickedTitle = ""
        var role = ""
    }

    /// The indices of the rows `field[N]…` of a submitted form, in order.
    static func rowIndices(_ form: [String: String], field: String) -> [Int] {
        let prefix = "\(field)["
        var indices = Set<Int>()
        for key in form.keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]), (0..<10_000).contains(index) {
                indices.insert(index)
            }
        }
        return indices.sorted()
    }

    /// The submitted lines, blank ones and those marked for removal left out.
    static func lineInputs(_ form: [String: String], field: String) -> [LineInput] {
        rowIndices(form, field: field).compactMap { index in
            let row = "\(field)[\(index)]"
            guard form["\(row).remove"] == nil else { return nil }
            let line = LineInput(
                product: form["\(row).product_id"] ?? "", quantity: form["\(row).quantity"] ?? "",
                unitPrice: form["\(row).unit_price"] ?? "", discount: form["\(row).discount"] ?? "")
            return line.isBlank ? nil : line
        }
    }

    /// The submitted contact rows, blank ones and those marked for removal left out.
    static func contactInputs(_ form: [String: String], field: String) -> [ContactInput] {
        rowIndices(form, field: field).compactMap { index in
            let row = "\(field)[\(index)]"
            let text = (form[row] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard form["\(row).remove"] == nil, !text.isEmpty else { return nil }
            return ContactInput(
                text: text, picked: form[Self.pickedID(row)] ?? "", pickedTitle: form[Self.pickedTitle(row)] ?? "",
                role: form["\(row).role"] ?? "")
        }
    }

    /// A stored line as its row shows it: money as a decimal in the record's currency, no discount as blank.
    static func lineInput(_ line: LineItem, currency: String?) -> LineInput {
        LineInput(
            product: line.productID, quantity: String(line.quantity),
            unitPrice: Currencies.plain(minorUnits: line.unitPrice, code: currency),
            discount: line.discount == 0 ? "" : Currencies.plain(minorUnits: line.discount, code: currency))
    }

    /// A number as a person may type it, in ASCII: Persian and Arabic-Indic digits, spaces and the Arabic
    /// thousands sign left out; the last of `.`, `,` and `٫` is the decimal point (`12,50`, `1.250,50`,
    /// `1,250.50`), the others group digits.
    static func asciiNumber(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x06F0...0x06F9: out.append(Character(Unicode.Scalar(scalar.value - 0x06F0 + 48)!))
            case 0x0660...0x0669: out.append(Character(Unicode.Scalar(scalar.value - 0x0660 + 48)!))
            case 0x066B: out.append(",")
            case 0x066C, 0x20, 0xA0, 0x202F, 0x2009, 0x200E, 0x200F: continue
            case 0x2212: out.append("-")
            default: out.unicodeScalars.append(scalar)
            }
        }
        guard let last = out.lastIndex(where: { $0 == "." || $0 == "," }) else { return out }
        let whole = out[..<last].filter { $0 != "." && $0 != "," }
        return whole + "." + out[out.index(after: last)...]
    }

    /// The submitted lines as the service takes them (money in minor units of `currency`), or the rows' issues
    /// named by their place among the lines (`line_items[1].unit_price`). An empty price is the product's
    /// own price when it is in the same currency (`prices`).
    static func lines(
        _ inputs: [LineInput], field: String, currency: String?, prices: [String: (price: Int64, currency: String?)]
    ) -> (value: JSONValue, issues: [FieldIssue]) {
        var lines: [JSONValue] = []
        var issues: [FieldIssue] = []
        let code = currency ?? ""
        for (index, input) in inputs.enumerated() {
            let path = "\(field)[\(index)]"
            var line: [String: JSONValue] = ["product_id": .string(input.product.trimmingCharacters(in: .whitespaces))]
            let quantity = asciiNumber(input.quantity)
            // (what is not a whole number goes to the service as it is, which names the problem)
            line["quantity"] =
                quantity.isEmpty ? .number(1) : Double(quantity).map(JSONValue.number) ?? .string(quantity)
            let price = asciiNumber(input.unitPrice)
            if price.isEmpty, let own = prices[input.product], own.currency == nil || own.currency == currency {
                line["unit_price"] = .number(Double(own.price))
            } else if let minor = Currencies.minorUnits(price, currency: code), minor >= 0 {
                line["unit_price"] = .number(Double(minor))
            } else {
                issues.append(
                    FieldIssue(
                        "\(path).unit_price", key: "line_price_amount",
                        "Write the unit price as an amount of at least 0, such as 12.50."))
            }
            let discount = asciiNumber(input.discount)
            if discount.isEmpty {
                line["discount"] = .number(0)
            } else if let minor = Currencies.minorUnits(discount, currency: code), minor >= 0 {
                line["discount"] = .number(Double(minor))
            } else {
                issues.append(
                    FieldIssue(
                        "\(path).discount", key: "line_discount_amount",
                        "Write the discount as an amount of at least 0, such as 5.00, or leave it empty."))
            }
            lines.append(.object(line))
        }
        return (.array(lines), issues)
    }

    /// The contacts and roles of the submitted rows: ids in order (each once) and each one's role (null for
    /// none), or the rows' issues named by their place (`contact_ids[1]`).
    func contacts(_ inputs: [ContactInput], field: String, viewer: Viewer) async throws -> (
        ids: [String], roles: [String: JSONValue], issues: [FieldIssue]
    ) {
        var ids: [String] = []
        var roles: [String: JSONValue] = [:]
        var issues: [FieldIssue] = []
        for (index, input) in inputs.enumerated() {
            var id: String?
            if RecordID.isWellFormed(input.picked), input.text == input.pickedTitle {
                id = input.picked.lowercased()
            } else {
                do {
                    id = try await service.resolveReference(field: field, text: input.text, viewer: viewer)
                } catch let error as RapportError where error.code == .invalid {
                    issues += error.fields.map { issue in
                        var issue = issue
                        issue.field = "\(field)[\(index)]"
                        return issue
                    }
                }
            }
            guard let id, !ids.contains(id) else { continue }
            ids.append(id)
            let role = input.role.trimmingCharacters(in: .whitespaces)
            roles[id] = role.isEmpty ? .null : .string(role)
        }
        return (ids, roles, issues)
    }

    /// The rows of a lines field in the form: the record's lines, or what was submitted, then blank rows.
    func lineEditor(
        _ field: FieldSpec, record: Record, submitted: [String: String]?, errors: [String: String],
        viewer: Viewer, messages: [String: String], language: Language
    ) async throws -> RecordFormView.LineEditor {
        let currency = submitted?["currency"].flatMap(Currencies.code) ?? record.string("currency")
        let inputs =
            submitted.map { Self.lineInputs($0, field: field.name) }
            ?? LineItem.lines(of: record[field.name]).map { Self.lineInput($0, currency: currency) }
        let blank = submitted?[Self.moreRows] != nil ? 3 : 1
        // Active products to choose from, by name; a product already on a line stays a choice (marked when
        // it is no longer sold).
        let products = RecordService(services, schema: .products)
        var query = ListQuery()
        query.filters = [.init(target: .standard(name: "active", kind: .boolean), op: .equals, value: .bool(true))]
        query.sort = .init(target: .standard(name: "name", kind: .text(maxLength: 300)), descending: false)
        let active = try await products.list(viewer, query: query, limit: Self.productChoices, after: nil).records
        let activeIDs = Set(active.map(\.id))
        let others = Array(Set(inputs.map(\.product).filter { RecordID.isWellFormed($0) && !activeIDs.contains($0) }))
        let otherTitles = try await products.titles(viewer, ids: others)
        var choices: [(id: String, name: String, price: String?, currency: String?)] = active.map {
            let code = $0.string("currency")
            return (
                $0.id, ObjectType.products.title(of: $0),
                $0["unit_price"].int64.map { Currencies.plain(minorUnits: $0, code: code) }, code
            )
        }
        for id in others {
            let name = otherTitles[id] ?? "—"
            choices.append((id, "\(name) (\(messages["product_inactive_choice"] ?? "not sold any more"))", nil, nil))
        }
        func row(_ index: Int, _ input: LineInput) -> RecordFormView.LineEditor.Row {
            let path = "\(field.name)[\(index)]"
            let options =
                [RecordFormView.ProductChoice(value: "", label: "—", selected: input.product.isEmpty)]
                + choices.map {
                    RecordFormView.ProductChoice(
                        value: $0.id, label: $0.name, selected: $0.id == input.product, productPrice: $0.price,
                        productCurrency: $0.currency)
                }
            var total: String?
            if let quantity = Int64(Self.asciiNumber(input.quantity)),
                let price = Currencies.minorUnits(Self.asciiNumber(input.unitPrice), currency: currency ?? ""),
                let discount = input.discount.isEmpty
                    ? 0 : Currencies.minorUnits(Self.asciiNumber(input.discount), currency: currency ?? "")
            {
                total = Numbers.money(minorUnits: quantity * price - discount, code: currency, language)
            }
            let rowErrors = [
                errors[path], errors["\(path).product_id"], errors["\(path).quantity"], errors["\(path).unit_price"],
                errors["\(path).discount"],
            ]
            return .init(
                lineIndex: String(index), products: options, quantity: input.quantity, unitPrice: input.unitPrice,
                discount: input.discount, lineTotal: total,
                lineProductError: errors["\(path).product_id"] ?? errors[path],
                lineQuantityError: errors["\(path).quantity"], linePriceError: errors["\(path).unit_price"],
                lineDiscountError: errors["\(path).discount"], lineHasError: rowErrors.contains { $0 != nil })
        }
        let rows =
            inputs.enumerated().map { row($0, $1) }
            + (0..<blank).map { row(inputs.count + $0, LineInput()) }
        var sum: String?
        let parsed = inputs.compactMap { input -> Int64? in
            guard let quantity = Int64(Self.asciiNumber(input.quantity.isEmpty ? "1" : input.quantity)),
                let price = Currencies.minorUnits(Self.asciiNumber(input.unitPrice), currency: currency ?? "")
            else { return nil }
            let discount =
                Currencies.minorUnits(Self.asciiNumber(input.discount), currency: currency ?? "") ?? 0
            return quantity * price - discount
        }
        if !inputs.isEmpty, parsed.count == inputs.count {
            sum = Numbers.money(minorUnits: parsed.reduce(0, +), code: currency, language)
        }
        var template = row(0, LineInput())
        template.lineIndex = "__INDEX__"
        return .init(
            name: field.name, rows: rows, template: template, next: String(rows.count), sum: sum,
            digits: Currencies.minorDigits(currency ?? ""), currency: currency ?? "",
            placeholder: Currencies.plain(minorUnits: 0, code: currency))
    }

    /// The contact rows of a list of references in the form, each with its role where the object keeps roles.
    func contactEditor(
        _ field: FieldSpec, record: Record, submitted: [String: String]?, errors: [String: String],
        titles: [String: String], withRoles: Bool, messages: [String: String]
    ) -> RecordFormView.ContactEditor {
        var inputs: [ContactInput]
        if let submitted {
            inputs = Self.contactInputs(submitted, field: field.name)
        } else {
            var roles: [String: JSONValue] = [:]
            if case .object(let members) = record["contact_roles"] { roles = members }
            inputs = record.strings(field.name).map { id in
                let title = titles[id] ?? id
                var role = ""
                if case .string(let text)? = roles[id] { role = text }
                return ContactInput(text: title, picked: id, pickedTitle: title, role: role)
            }
        }
        let blank = submitted?[Self.moreRows] != nil ? 3 : 1
        inputs += Array(repeating: ContactInput(), count: blank)
        func row(_ index: String, _ input: ContactInput) -> RecordFormView.ContactEditor.Row {
            let name = "\(field.name)[\(index)]"
            var known = ObjectType.dealContactRoles
            // (a role given through the API that the page does not offer is kept as it is)
            if !input.role.isEmpty, !known.contains(input.role) { known.append(input.role) }
            return .init(
                contactIndex: index, contactName: name, contactText: input.text,
                pickedName: Self.pickedID(name), pickedID: input.picked, pickedTitleName: Self.pickedTitle(name),
                pickedTitle: input.pickedTitle,
                roles: withRoles
                    ? [Option(value: "", label: messages["contact_role_none"] ?? "—", selected: input.role.isEmpty)]
                        + known.map {
                            Option(value: $0, label: messages["contact_role_\($0)"] ?? $0, selected: $0 == input.role)
                        } : nil,
                contactError: errors[name])
        }
        return .init(
            name: field.name, source: WebPath.pick(object, field: field.name),
            rows: inputs.enumerated().map { row(String($0), $1) }, template: row("__INDEX__", ContactInput()),
            next: String(inputs.count), withRoles: withRoles)
    }

    /// At most this many products to choose from in a line's list.
    static let productChoices = 500
}

extension JSONValue {
    /// A whole number held as a JSON number; nil for anything else.
    fileprivate var int64: Int64? {
        if case .number(let number) = self, number.rounded() == number, abs(number) < 9e15 { return Int64(number) }
        return nil
    }
}

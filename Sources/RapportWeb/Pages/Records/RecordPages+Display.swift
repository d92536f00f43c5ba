import Foundation
import RapportCore

/// How records' values read on the pages.
extension RecordPages {
    /// A value as text for a person.
    static func display(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "✓" : "✗"
        case .number(let number):
            return number.rounded() == number && abs(number) < 9e15 ? String(Int64(number)) : String(number)
        case .array(let items):
            return items.map { item in
                if case .object(let phone) = item {
                    return [phone["number"], phone["type"]].compactMap { $0.map(display) }.joined(separator: " · ")
                }
                return display(item)
            }.joined(separator: ", ")
        case .object(let members):
            return members.sorted { $0.key < $1.key }.map { "\($0.key): \(display($0.value))" }.joined(separator: ", ")
        }
    }

    /// A field's value as text, translated where it is one of a fixed list.
    func displayValue(_ field: String, _ value: JSONValue, _ messages: [String: String]) -> String {
        if case .bool(let flag) = value { return messages["bool_\(flag)"] ?? Self.display(value) }
        let text = Self.display(value)
        switch field {
        case "lifecycle_stage": return messages["stage_\(text)"] ?? text
        case "email_consent": return messages["consent_\(text)"] ?? text
        case "email_status": return messages["email_status_\(text)"] ?? text
        case "priority": return messages["priority_\(text)"] ?? text
        case "status": return messages["deal_status_\(text)"] ?? text
        default: return text
        }
    }

    /// What a record is called.
    func title(of record: Record) -> String { schema.title(of: record) }

    /// One cell of a list row: the value as a person reads it, a link for a reference to a record.
    func cell(
        _ name: String, of record: Record, titles: [String: [String: String]],
        definitions: [CustomFieldDefinition] = [], messages: [String: String], dates: Dates
    ) -> RecordCell {
        let language = dates.language
        if name == "created_at" || name == "updated_at" {
            let micros = name == "created_at" ? record.createdAt : record.updatedAt
            return RecordCell(value: dates.short(micros), exactTime: dates.exact(micros))
        }
        if name.hasPrefix("custom.") {
            let value = record.custom[String(name.dropFirst("custom.".count))] ?? .null
            return RecordCell(value: displayValue(name, value, messages))
        }
        guard let field = schema.field(name) else { return RecordCell(value: "") }
        let value = record[name]
        switch (field.kind, value) {
        case (.reference(let table), _):
            guard let id = record.string(name) else { return RecordCell(value: "") }
            let title = titles[name]?[id] ?? ""
            return RecordCell(value: title, link: ObjectCatalog.named(table) != nil ? WebPath.record(table, id) : nil)
        case (.referenceList(let table), .array(let items)):
            let parts = items.enumerated().compactMap { index, item -> RecordCell.Part? in
                guard case .string(let id) = item, let title = titles[name]?[id] else { return nil }
                let role: String? =
                    if case .object(let roles) = record["contact_roles"], case .string(let text)? = roles[id] {
                        text
                    } else { nil }
                return RecordCell.Part(
                    text: role.map { "\(title) (\(messages["contact_role_\($0)"] ?? $0))" } ?? title,
                    href: WebPath.record(table, id), comma: index > 0, ltr: false)
            }
            return RecordCell(value: parts.map(\.text).joined(separator: ", "), parts: parts)
        case (.lineItems, _):
            let currency = record.string("currency")
            let parts = LineItem.lines(of: value).enumerated().map { index, line in
                let product = titles[name]?[line.productID] ?? "—"
                var text =
                    "\(Numbers.format(Int(line.quantity), language)) × \(product) · \(Numbers.money(minorUnits: line.unitPrice, code: currency, language))"
                if line.discount > 0 {
                    text += " − \(Numbers.money(minorUnits: line.discount, code: currency, language))"
                }
                return RecordCell.Part(
                    text: text, href: WebPath.record(ObjectType.products.name, line.productID), comma: index > 0,
                    ltr: false)
            }
            return RecordCell(value: parts.map(\.text).joined(separator: ", "), parts: parts)
        case (.money(let currency), .number(let amount)):
            return RecordCell(
                value: Numbers.money(minorUnits: Int64(amount), code: record.string(currency), dates.language),
                ltr: true)
        case (.email, .string(let address)):
            return RecordCell(value: address, link: "mailto:\(address)", ltr: true)
        case (.emailList, .array(let items)):
            return Self.listCell(items.compactMap { if case .string(let text) = $0 { text } else { nil } }) {
                "mailto:\($0)"
            }
        case (.domain, .string(let domain)):
            return RecordCell(value: domain, link: "https://\(domain)", ltr: true)
        case (.phones, .array(let items)):
            let phones = items.compactMap { item -> (number: String, type: String)? in
                guard case .object(let phone) = item, case .string(let number)? = phone["number"] else { return nil }
                let type = phone["type"].map(Self.display) ?? "other"
                return (number, messages["phone_\(type)"] ?? type)
            }
            let parts = phones.enumerated().map { index, phone in
                RecordCell.Part(
                    text: "\(phone.number) (\(phone.type))", href: "tel:\(phone.number.filter { !$0.isWhitespace })",
                    comma: index > 0, ltr: true)
            }
            return RecordCell(value: parts.map(\.text).joined(separator: ", "), ltr: true, parts: parts)
        case (.languageTag, .string(let tag)):
            let name = Locale(identifier: language.rawValue).localizedString(forIdentifier: tag)
            return RecordCell(value: name ?? tag)
        case (.date, .string(let text)):
            return RecordCell(value: dates.calendarDay(text) ?? text)
        case (.timestamp, .string(let text)), (.dateTime, .string(let text)):
            guard let date = Timestamp.parse(text) else { return RecordCell(value: text, ltr: true) }
            let micros = Timestamp.micros(date)
            return RecordCell(value: dates.short(micros), exactTime: dates.exact(micros))
        case (.country, .string(let code)):
            return RecordCell(value: Locale(identifier: language.rawValue).localizedString(forRegionCode: code) ?? code)
        default:
            return RecordCell(value: displayValue(name, value, messages), ltr: Self.isLeftToRight(field.kind))
        }
    }

    /// A cell of several addresses or numbers, each its own link.
    static func listCell(_ texts: [String], href: (String) -> String) -> RecordCell {
        let parts = texts.enumerated().map { RecordCell.Part(text: $1, href: href($1), comma: $0 > 0, ltr: true) }
        return RecordCell(value: texts.joined(separator: ", "), ltr: true, parts: parts)
    }

    /// Values written in Latin script whatever the page's direction: addresses, numbers, codes.
    static func isLeftToRight(_ kind: FieldKind) -> Bool {
        switch kind {
        case .email, .emailList, .domain, .phones, .date, .timestamp, .timeZone, .languageTag, .country, .currency,
            .money:
            true
        default: false
        }
    }
}

import Foundation

/// What kind of value a standard field holds: decides validation, storage and the filters it accepts.
package enum FieldKind: Sendable, Equatable {
    /// Free text up to a length; blank becomes null.
    case text(maxLength: Int)
    /// One address, trimmed and lower-cased.
    case email
    /// A domain name, lower-cased (`example.com`).
    case domain
    /// Several addresses, each trimmed and lower-cased.
    case emailList
    /// One of a fixed list.
    case choice([String])
    /// ISO 3166-1 alpha-2.
    case country
    /// An ISO 4217 currency code, upper-case.
    case currency
    /// True or false.
    case boolean
    /// An IANA time zone name.
    case timeZone
    /// A BCP 47 language tag.
    case languageTag
    /// `YYYY-MM-DD`.
    case date
    /// Distinct short labels.
    case tags
    /// `[{"type", "number"}]`.
    case phones
    /// `{"name": "value"}` of strings.
    case stringMap
    /// The id of another record of the workspace (`companies`, `users`).
    case reference(String)
    /// A whole number, at least 0.
    case count
    /// An amount of money in minor units (a whole number, at least 0), in the currency that the field
    /// `currency` names.
    case money(currency: String)
    /// A moment set by the server, stored as microseconds and shown as RFC 3339.
    case timestamp
    /// Several distinct ids of records of another object (a deal's contacts), kept in order.
    case referenceList(String)
    /// A deal's line items: `[{"product_id", "quantity", "unit_price", "discount"}]` (money in minor units).
    case lineItems
    /// A moment a user sets (a task's due time, an order's time): RFC 3339 in the API (any offset, kept as UTC with
    /// milliseconds), stored as microseconds like `timestamp`, shown and typed in the viewer's time zone.
    case dateTime

    /// Values held as JSON text in one column (arrays and maps).
    package var isStructured: Bool {
        switch self {
        case .emailList, .tags, .phones, .stringMap, .referenceList, .lineItems: true
        default: false
        }
    }

    /// Values held as whole numbers in their column (counts, times, flags).
    package var isInteger: Bool {
        switch self {
        case .count, .money, .timestamp, .dateTime, .boolean: true
        default: false
        }
    }

    /// Values that are moments (stored as microseconds, written as RFC 3339).
    package var isMoment: Bool { self == .timestamp || self == .dateTime }

    /// The value a field has when nothing was given.
    package var emptyValue: JSONValue {
        switch self {
        case .emailList, .tags, .phones, .referenceList, .lineItems: .array([])
        case .stringMap: .object([:])
        default: .null
        }
    }

    /// The records a value of this kind refers to, for a list of references or line items (their products).
    package func listedReferences(in value: JSONValue) -> (table: String, ids: [String])? {
        guard case .array(let items) = value else { return nil }
        switch self {
        case .referenceList(let table):
            return (table, items.compactMap { if case .string(let id) = $0 { id } else { nil } })
        case .lineItems:
            var ids: [String] = []
            for case .object(let line) in items {
                if case .string(let id)? = line["product_id"], !ids.contains(id) { ids.append(id) }
            }
            return ("products", ids)
        default:
            return nil
        }
    }
}

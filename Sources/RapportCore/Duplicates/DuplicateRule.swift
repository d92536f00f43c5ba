import Foundation

/// One way two records of an object may be the same one: they share a value of some fields, each value
/// compared in a normalised form (addresses without case, `+tags` or Gmail's dots; phone numbers by
/// their last digits; names with case, accents, letter variants, word order and legal forms folded),
/// optionally only among records that point to the same record (a contact's name at its company).
///
/// `keys(of:)` gives what a record is compared by; the store keeps them in an indexed table, so
/// finding a record's matches or a workspace's pairs never reads the records themselves.
package struct DuplicateRule: Sendable {
    /// How values are normalised before they are compared.
    package enum Match: String, Sendable {
        /// Email addresses: lower-cased, `+tag` dropped, Gmail's dots ignored.
        case email
        /// Phone numbers: their last eight digits, so that a number with and without its country code or
        /// trunk zero matches.
        case phone
        /// Domain names without `www.`.
        case domain
        /// A person's name: its words, folded and in any order (at least two of them).
        case personName
        /// An organisation's name: its words folded, without legal forms (Inc., ApS, ТОВ, شرکت).
        case organisationName
    }

    /// Stable: stored with every key and named in the API (`email`, `phone`, `name`, `domain`).
    package var name: String
    /// The fields compared; a list field (additional addresses, phones) gives a key per item; a name's
    /// fields are joined into one.
    package var fields: [String]
    package var match: Match
    /// A reference field both records must share (a contact's `company_id`); records without one have no key.
    package var within: String?

    package init(_ name: String, fields: [String], match: Match, within: String? = nil) {
        self.name = name
        self.fields = fields
        self.match = match
        self.within = within
    }

    /// The message catalogue's key for a reason given by this rule; the text has a `{value}`.
    package var reasonKey: String {
        switch match {
        case .email: "duplicate_reason_email"
        case .phone: "duplicate_reason_phone"
        case .domain: "duplicate_reason_domain"
        case .personName, .organisationName: within == nil ? "duplicate_reason_name" : "duplicate_reason_name_at"
        }
    }

    /// The reason in English (the API's `message`): `value` is the matching value, or for a rule
    /// `within` a reference, the referenced record's title ("Similar name at Acme").
    package func reason(_ value: String) -> String {
        switch match {
        case .email: "Same email: \(value)"
        case .phone: "Same phone: \(value)"
        case .domain: "Same domain: \(value)"
        case .personName, .organisationName: within == nil ? "Similar name: \(value)" : "Similar name at \(value)"
        }
    }

    /// What a record is compared by under this rule, each key once.
    package func keys(of record: Record) -> [DuplicateKey] {
        var scope = ""
        if let within {
            guard let target = record.string(within) else { return [] }
            scope = target
        }
        var keys: [DuplicateKey] = []
        func add(_ key: String?, _ value: String) {
            guard let key, !key.isEmpty, !keys.contains(where: { $0.key == key }) else { return }
            keys.append(DuplicateKey(rule: name, scope: scope, key: String(key.prefix(300)), value: value))
        }
        switch match {
        case .personName, .organisationName:
            let value = fields.compactMap { record.string($0) }.joined(separator: " ")
            add(match == .personName ? Self.personName(value) : Self.organisationName(value), value)
        case .email, .phone, .domain:
            for field in fields {
                for value in Self.texts(record, field) {
                    switch match {
                    case .email: add(Self.email(value), value)
                    case .phone: add(Self.phone(value), value)
                    default: add(Self.domain(value), value)
                    }
                }
            }
        }
        return keys
    }

    /// A field's texts: a string, the strings of a list, the numbers of a list of phones.
    static func texts(_ record: Record, _ field: String) -> [String] {
        switch record[field] {
        case .string(let text): return [text]
        case .array(let items):
            return items.compactMap { item in
                switch item {
                case .string(let text): text
                case .object(let members): if case .string(let number)? = members["number"] { number } else { nil }
                default: nil
                }
            }
        default: return []
        }
    }

    // MARK: Normalisation

    static let gmail: Set<String> = ["gmail.com", "googlemail.com"]

    /// `Anna.Berg+news@GoogleMail.com` → `annaberg@gmail.com`.
    package static func email(_ address: String) -> String? {
        let lowered = address.trimmed().lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return nil }
        var local = String(lowered[..<at])
        var domain = String(lowered[lowered.index(after: at)...])
        if let plus = local.firstIndex(of: "+"), plus != local.startIndex { local = String(local[..<plus]) }
        if gmail.contains(domain) {
            local = local.replacingOccurrences(of: ".", with: "")
            domain = "gmail.com"
        }
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return "\(local)@\(domain)"
    }

    /// The last eight digits (Persian and Arabic-Indic digits read as ASCII); nil for fewer than seven.
    package static func phone(_ number: String) -> String? {
        let digits = SearchKey.normalize(number).unicodeScalars.filter { $0.value >= 0x30 && $0.value <= 0x39 }
        guard digits.count >= 7 else { return nil }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: digits.suffix(8))
        return String(text)
    }

    /// `WWW.Acme.com.` → `acme.com`.
    package static func domain(_ domain: String) -> String? {
        var text = domain.trimmed().lowercased()
        while text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix("www.") { text.removeFirst(4) }
        return text.isEmpty ? nil : text
    }

    /// A person's folded words in order (`Berg, Anna` and `anna berg` match); nil for a single word.
    package static func personName(_ name: String) -> String? {
        let words = SearchKey.words(name)
        guard words.count >= 2 else { return nil }
        return words.sorted().joined(separator: " ")
    }

    /// Words that say what legal form a company has, not which company it is.
    static let legalForms: Set<String> = [
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "corp", "corporation", "co", "company",
        "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "aps", "a", "s", "ivs",
        "pty", "pvt", "group", "тов", "пп", "прат", "пат", "ат", "фоп", "шрк", "سهامی", "خاص", "عام", "مسئولیت",
        "محدود", "با", "شرکت",
    ]
    static let leadingForms: Set<String> = ["the", "شرکت", "тов", "пп", "прат", "пат", "ат", "фоп"]

    /// An organisation's folded words without its legal form (`The ACME Company A/S` → `acme`).
    package static func organisationName(_ name: String) -> String? {
        var words = SearchKey.words(name)
        while words.count > 1, let first = words.first, leadingForms.contains(first) { words.removeFirst() }
        while words.count > 1, let last = words.last, legalForms.contains(last) { words.removeLast() }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}

/// A normalised value a record is compared by under one rule.
package struct DuplicateKey: Sendable, Hashable {
    package var rule: String
    /// The referenced record both must share (for a rule `within` a field), else empty.
    package var scope: String
    package var key: String
    /// The value as the record has it, for the reason shown.
    package var value: String

    package init(rule: String, scope: String, key: String, value: String) {
        self.rule = rule
        self.scope = scope
        self.key = key
        self.value = value
    }
}

extension ObjectType {
    /// A duplicate rule by name.
    package func duplicateRule(_ name: String) -> DuplicateRule? { duplicates.first { $0.name == name } }

    /// Every key a record is compared by, under each of the object's duplicate rules.
    package func duplicateKeys(of record: Record) -> [DuplicateKey] { duplicates.flatMap { $0.keys(of: record) } }
}

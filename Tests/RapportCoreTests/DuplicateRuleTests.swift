import RapportCore
import Testing

@Suite("Duplicate rules")
struct DuplicateRuleTests {
    static func contact(_ values: [String: JSONValue]) -> Record {
        var record = Record.empty(.contacts, workspaceID: "w", now: 0)
        record.values.merge(values) { _, new in new }
        return record
    }

    @Test(
        "addresses match without case, a +tag or Gmail's dots",
        arguments: [
            ("Anna.Berg@gmail.com", "annaberg@googlemail.com"), ("anna+news@acme.dk", "ANNA@acme.dk"),
            ("o.k@mail.ua", "o.k+crm@mail.ua"),
        ])
    func emails(_ one: String, _ other: String) {
        #expect(DuplicateRule.email(one) == DuplicateRule.email(other))
    }

    @Test("different addresses do not match: dots count outside Gmail")
    func differentEmails() {
        #expect(DuplicateRule.email("a.b@acme.dk") != DuplicateRule.email("ab@acme.dk"))
    }

    @Test(
        "phone numbers match by their last eight digits, with or without the country code, in Persian digits too",
        arguments: [
            ("+45 32 12 34 56", "32123456"), ("0912 345 6789", "+98 912 345 6789"), ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "09123456789"),
            ("+380 44 123 4567", "(044) 123-45-67"),
        ])
    func phones(_ one: String, _ other: String) {
        #expect(DuplicateRule.phone(one) != nil)
        #expect(DuplicateRule.phone(one) == DuplicateRule.phone(other))
    }

    @Test("a short number is no key")
    func shortPhone() {
        #expect(DuplicateRule.phone("112") == nil)
    }

    @Test(
        "people's names match in any order, case and accent, with Persian letter variants unified",
        arguments: [
            ("Søren Kierkegaard", "KIERKEGAARD soren"), ("علي رضايي", "علی رضایی"), ("José García", "jose garcia"),
        ])
    func personNames(_ one: String, _ other: String) {
        #expect(DuplicateRule.personName(one) == DuplicateRule.personName(other))
    }

    @Test(
        "organisations' names match without legal forms",
        arguments: [
            ("Acme Inc.", "ACME"), ("Nordlys ApS", "nordlys"), ("Nordlys A/S", "Nordlys"), ("ТОВ Київстар", "Київстар"),
            ("شرکت نورا", "نورا"), ("The Acme Company", "Acme"),
        ])
    func organisationNames(_ one: String, _ other: String) {
        #expect(DuplicateRule.organisationName(one) == DuplicateRule.organisationName(other))
    }

    @Test("a contact's keys: every address and phone, and its name only at a company")
    func contactKeys() {
        let alone = Self.contact([
            "first_name": .string("Anna"), "last_name": .string("Berg"), "email": .string("anna@acme.dk"),
            "additional_emails": .array([.string("anna.berg@gmail.com")]),
            "phones": .array([.object(["type": .string("work"), "number": .string("+45 32 12 34 56")])]),
        ])
        let keys = ObjectType.contacts.duplicateKeys(of: alone)
        #expect(keys.map(\.rule) == ["email", "email", "phone"])
        #expect(keys.map(\.key) == ["anna@acme.dk", "annaberg@gmail.com", "32123456"])
        var employed = alone
        employed.values["company_id"] = .string("c1")
        let name = ObjectType.contacts.duplicateKeys(of: employed).first { $0.rule == "name" }
        #expect(name == DuplicateKey(rule: "name", scope: "c1", key: "anna berg", value: "Anna Berg"))
    }

    @Test("products have no duplicate rules")
    func products() {
        #expect(ObjectType.products.duplicates.isEmpty)
    }

    @Test("a pair cursor reads back what it wrote, and anything else is refused")
    func cursor() {
        let cursor = DuplicatePairCursor(
            rule: "name", scope: "", key: "nordlys", first: "0190a2b4-0000-7000-8000-000000000001",
            second: "0190a2b4-0000-7000-8000-000000000002")
        #expect(DuplicatePairCursor(text: cursor.text) == cursor)
        #expect(DuplicatePairCursor(text: "bm9wZQ") == nil)
        #expect(DuplicatePairCursor(text: "!!") == nil)
    }
}

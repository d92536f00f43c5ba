import Foundation
import RapportCore
import Testing

@Suite("Account rules")
struct AccountRulesTests {
    @Test("a draft reports every bad field at once")
    func draftReportsAllIssues() {
        let error = #expect(throws: RapportError.self) {
            try UserDraft(email: "not-an-email", name: nil, role: "king", password: "short").validate()
        }
        #expect(Set(error?.fields.map(\.field) ?? []) == ["email", "role", "password"])
    }

    @Test(
        "emails are trimmed and lower-cased",
        arguments: [("  Ivan@Example.UA ", "ivan@example.ua"), ("A@B.DK", "a@b.dk")])
    func normalisesEmail(_ input: String, _ expected: String) throws {
        #expect(try UserDraft(email: input, name: nil, role: nil, password: "password1").validate().email == expected)
    }

    @Test("only owners grant ownership; members grant nothing")
    func grants() {
        #expect(Role.owner.mayGrant(.owner))
        #expect(!Role.admin.mayGrant(.owner))
        #expect(Role.admin.mayGrant(.admin))
        #expect(!Role.member.mayGrant(.member))
    }

    @Test(
        "Accept-Language picks the best supported language",
        arguments: [
            ("fa-IR,fa;q=0.9,en;q=0.5", Language.fa), ("de-DE,da;q=0.8,en;q=0.7", .da), ("de", .en), ("", .en),
            ("en;q=0.2, uk;q=0.9", .uk),
        ])
    func acceptLanguage(_ header: String, _ expected: Language) {
        #expect(Language.preferred(acceptLanguage: header) == expected)
    }

    @Test("record ids are UUIDv7: later milliseconds sort later")
    func recordIDs() {
        let now = Date()
        let first = RecordID.make(now: now)
        let sameMillisecond = RecordID.make(now: now)
        let later = RecordID.make(now: now.addingTimeInterval(0.002))
        let muchLater = RecordID.make(now: now.addingTimeInterval(86_400 * 365))
        #expect(RecordID.isWellFormed(first))
        #expect(first.count == 36)
        #expect(first.dropFirst(14).first == "7")
        #expect(first != sameMillisecond)
        #expect(first < later)
        #expect(later < muchLater)
        #expect(!RecordID.isWellFormed("not-a-uuid"))
    }
}

@Suite("Custom field keys")
struct CustomFieldKeyTests {
    @Test(
        "a key is made from a label",
        arguments: [
            ("Contract tier", "contract_tier"), ("  Renewal date! ", "renewal_date"), ("NPS (2026)", "nps_2026"),
            ("Æble-sort", "aeble_sort"), ("Тип контракту", "tip_kontraktu"), ("سطح قرارداد", "sth_qrardad"),
        ])
    func fromLabel(_ label: String, _ key: String) {
        #expect(CustomFieldDefinition.key(fromLabel: label) == key)
    }

    @Test("a label with nothing Latin to start with still gives a valid key, the same each time")
    func noLatinStart() throws {
        let key = CustomFieldDefinition.key(fromLabel: "۲۰۲۶ 🎯")
        #expect(key.hasPrefix("field_"))
        #expect(key == CustomFieldDefinition.key(fromLabel: "۲۰۲۶ 🎯"))
        #expect(key != CustomFieldDefinition.key(fromLabel: "۲۰۲۵ 🎯"))
        _ = try CustomFieldDefinition.validate(object: "contacts", key: key, label: "۲۰۲۶ 🎯", type: "text", options: [])
    }
}

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

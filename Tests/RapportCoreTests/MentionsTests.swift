import RapportCore
import Testing

@Suite("Mentions")
struct MentionsTests {
    /// A workspace's people: Persian, Ukrainian and Danish names, two that start alike, one deactivated.
    static let people = Mentions([
        .init(id: "ana", name: "Ana", email: "ana.b@acme.test"),
        .init(id: "ana-lopes", name: "Ana Lopes", email: "ana@acme.test"),
        .init(id: "mahsa", name: "مهسا احمدی", email: "mahsa@acme.test"),
        .init(id: "ali", name: "علی کریمی", email: "ali@acme.test"),
        .init(id: "oksana", name: "Оксана Петренко", email: "oksana@acme.test"),
        .init(id: "soren", name: "Søren Ærø", email: "soren@acme.test"),
    ])

    @Test(
        "a note mentions whoever follows an @ by name or address",
        arguments: [
            // a Persian name, then one written with Arabic letter variants (ي, ك) and a ZWNJ-free spelling
            ("سلام @مهسا احمدی لطفاً تماس بگیرید", ["mahsa"]),
            ("@علي كريمي، فردا جلسه داریم", ["ali"]),
            // an address, in any case
            ("Can @ANA@acme.test call back?", ["ana-lopes"]),
            // a name at the end of a sentence, before punctuation, and with diacritics typed or not
            ("Ask @Ana Lopes.", ["ana-lopes"]),
            ("Thanks @søren ærø!", ["soren"]),
            ("Thanks @Soren Aero", ["soren"]),
            ("Передайте @Оксана Петренко, будь ласка", ["oksana"]),
            // the longest known name wins; a shorter one still matches alone
            ("@Ana Lopes and @Ana, see below", ["ana-lopes", "ana"]),
            ("@Ana's deal", ["ana"]),
            // two mentions, each person once however often named
            ("@Ana Lopes and @مهسا احمدی: @Ana Lopes again", ["ana-lopes", "mahsa"]),
            // an @ inside an address is not a mention
            ("Write to x@y.com or ana@acme.test", []),
            // unknown names, names running on, an address running on, a bare @
            ("@Nobody Here said hi", []),
            ("@Оксана Петренкова", []),
            ("@Ana Lopesson", ["ana"]),
            ("@ana@acme.test.uk", []),
            ("email @ 9 tomorrow", []),
            ("", []),
        ])
    func mentions(_ text: String, _ expected: [String]) {
        #expect(Self.people.mentioned(in: text) == expected)
    }

    @Test("two people with one name are both mentioned by it; deactivated users are nobody")
    func sharedNamesAndDeactivated() {
        let mentions = Mentions([
            .init(id: "a1", name: "Mette Holm", email: "m1@acme.test"),
            .init(id: "a2", name: "Mette Holm", email: "m2@acme.test"),
        ])
        #expect(mentions.mentioned(in: "cc @mette holm") == ["a1", "a2"])
        #expect(mentions.mentioned(in: "cc @m2@acme.test") == ["a2"])
        let gone = User(
            id: "gone", workspaceID: "w", email: "gone@acme.test", name: "Gone", role: .member, language: .en,
            version: 1, createdAt: 0, updatedAt: 0, deactivatedAt: 1)
        #expect(Mentions(users: [gone]).mentioned(in: "@Gone") == [])
    }

    @Test(
        "English summaries list the changed fields",
        arguments: [
            ([], ""), (["Email"], "Email"), (["Email", "Job title"], "Email and Job title"),
            (["Email", "Job title", "Owner"], "Email, Job title and Owner"),
        ])
    func englishList(_ items: [String], _ expected: String) {
        #expect(UserNotification.englishList(items) == expected)
    }

    @Test("a field's English label is made from its name")
    func labels() {
        #expect(UserNotification.englishLabel(field: "job_title") == "Job title")
        #expect(UserNotification.englishLabel(field: "owner_id") == "Owner")
        #expect(UserNotification.englishLabel(field: "email") == "Email")
        #expect(
            UserNotification.changedText(actor: "Ana Lopes", labels: ["Email", "Job title"], title: "Oksana Petrenko")
                == "Ana Lopes changed Email and Job title on Oksana Petrenko")
        #expect(UserNotification.activityText(actor: "Ana", type: "email", title: "X") == "Ana added an email on X")
    }
}

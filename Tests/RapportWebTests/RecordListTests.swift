import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Record lists")
struct RecordListTests {
    /// Contacts `Name000`… in creation order, every other one Danish, the rest Ukrainian.
    static func contacts(_ app: TestApp, _ seeded: Seeded, count: Int) async throws {
        let service = RecordService(app.services, schema: .contacts)
        for index in 0..<count {
            _ = try await service.create(
                .system(seeded.workspace.id),
                fields: [
                    "first_name": .string("Person"), "last_name": .string(String(format: "Name%03d", index)),
                    "country": .string(index % 2 == 0 ? "DK" : "UA"),
                ],
                actor: Actor(.user, id: seeded.owner.id))
        }
    }

    static func names(_ page: TestResponse) -> [String] {
        String(buffer: page.body).matches(of: #/<bdi>Person (Name\d{3})</bdi>/#).map { String($0.1) }
    }

    @Test(
        "a list counts its matches, pages forward and back with its position, and sorts by a header",
        arguments: Backend.allCases)
    func pagingAndSorting(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await Self.contacts(app, seeded, count: 120)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // given the list sorted by last name
                let first = try await jar.get(client, "/contacts?sort=last_name")
                #expect(first.text.contains("120 in all"))
                #expect(first.text.contains("1–50 of 120"))
                #expect(Self.names(first).first == "Name000")
                #expect(Self.names(first).count == 50)
                #expect(first.link(rel: "prev") == nil)
                #expect(first.text.contains(#"aria-sort="ascending""#))
                // when it pages forward, then back
                let second = try await jar.get(client, try #require(first.link(rel: "next")))
                #expect(second.text.contains("51–100 of 120"))
                #expect(Self.names(second).first == "Name050")
                let third = try await jar.get(client, try #require(second.link(rel: "next")))
                #expect(third.text.contains("101–120 of 120"))
                #expect(Self.names(third).last == "Name119")
                #expect(third.link(rel: "next") == nil)
                let back = try await jar.get(client, try #require(third.link(rel: "prev")))
                #expect(back.text.contains("51–100 of 120"))
                #expect(Self.names(back) == Self.names(second))
                let start = try await jar.get(client, try #require(back.link(rel: "prev")))
                #expect(Self.names(start) == Self.names(first))
                #expect(start.link(rel: "prev") == nil)
                // then the header reverses the sort
                #expect(first.text.contains(#"href="/contacts?sort=-last_name""#))
                let reversed = try await jar.get(client, "/contacts?sort=-last_name")
                #expect(Self.names(reversed).first == "Name119")
                #expect(reversed.text.contains(#"aria-sort="descending""#))
            }
        }
    }

    @Test(
        "an active filter is a chip that removes it; the chosen columns are kept for the user",
        arguments: Backend.allCases)
    func chipsAndColumns(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await Self.contacts(app, seeded, count: 6)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let danish = try await jar.get(client, "/contacts?country=DK&sort=last_name")
                #expect(danish.text.contains("3 in all"))
                #expect(danish.text.contains(#"class="chip""#))
                let remove = try #require(
                    danish.text.firstMatch(of: #/<a href="([^"]*)" aria-label="Remove filter/#).map { String($0.1) })
                #expect(!remove.contains("country"))
                let everyone = try await jar.get(client, remove.replacingOccurrences(of: "&amp;", with: "&"))
                #expect(everyone.text.contains("6 in all"))
                #expect(!everyone.text.contains(#"class="chip""#))
                // when the user keeps only the email and created columns
                let chosen = try await jar.post(
                    client, "/contacts/columns",
                    pairs: [
                        ("columns", "email"), ("columns", "created_at"), ("columns", "no_such_field"),
                        ("query", "country=DK"), ("csrf_token", danish.csrfToken ?? ""),
                    ])
                #expect(chosen.status == .seeOther)
                #expect(chosen.headers[.location] == "/contacts?country=DK&columns=email%2Ccreated_at")
                // then a plain visit to the list shows those columns only
                let list = try await jar.get(client, "/contacts")
                let headers = list.text.matches(of: #/<th [^>]*>(?:<a [^>]*>)?([^<]+)/#).map { String($0.1) }
                #expect(headers == ["Name", "Email", "Created"])
            }
        }
    }

    @Test(
        "every match can be tagged at once, the list says how many, and export takes the filters",
        arguments: Backend.allCases)
    func bulkOnEveryMatch(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await Self.contacts(app, seeded, count: 64)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let list = try await jar.get(client, "/contacts?country=DK")
                #expect(list.text.contains("32 in all"))
                // when every Danish contact is tagged
                let tagged = try await jar.post(
                    client, "/contacts/bulk",
                    form: [
                        "action": "tag", "value": "nordic", "all": "1", "query": "country=DK&sort=-created_at",
                        "csrf_token": list.csrfToken ?? "",
                    ])
                #expect(tagged.status == .seeOther)
                #expect(tagged.headers[.location] == "/contacts?country=DK&sort=-created_at")
                // then the next page says what was done, once
                let after = try await jar.get(client, "/contacts?country=DK&sort=-created_at")
                #expect(after.text.contains("Tag added to 32 contacts."))
                let again = try await jar.get(client, "/contacts?country=DK&sort=-created_at")
                #expect(!again.text.contains("Tag added"))
                let nordic = try await jar.get(client, "/contacts?tags%5Bcontains%5D=nordic")
                #expect(nordic.text.contains("32 in all"))
                let ukrainian = try await jar.get(client, "/contacts?tags%5Bcontains%5D=nordic&country=UA")
                #expect(ukrainian.text.contains("0 in all"))
                // and the export holds what the list shows
                let export = try await jar.get(client, "/contacts/export?format=csv&country=DK&q=name00")
                let lines = String(buffer: export.body).split(separator: "\r\n")
                #expect(lines.count == 1 + 5)  // Name000, 002, 004, 006, 008
                #expect(lines.dropFirst().allSatisfy { $0.contains(",DK,") || $0.contains("DK") })
            }
        }
    }
}

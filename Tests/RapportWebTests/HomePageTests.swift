import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Home page")
struct HomePageTests {
    @Test(
        "an empty workspace shows the first steps; then the home page shows counts, others' changes to my records and the stage chart",
        arguments: Backend.allCases)
    func home(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, _) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let empty = try await jar.get(client, "/")
                #expect(empty.text.contains("First steps"))
                #expect(empty.text.contains(#"href="/contacts/import""#))
                #expect(empty.text.contains(#"href="/users""#))
                // given contacts the owner owns, one of them changed by a teammate
                let service = RecordService(app.services, schema: .contacts)
                var ids: [String] = []
                for (name, stage) in [("Lars", "lead"), ("Mette", "lead"), ("Ida", "customer")] {
                    ids.append(
                        try await service.create(
                            workspaceID: seeded.workspace.id,
                            fields: [
                                "first_name": .string(name), "lifecycle_stage": .string(stage),
                                "owner_id": .string(seeded.owner.id),
                            ],
                            actor: Actor(.user, id: seeded.owner.id)
                        ).id)
                }
                _ = try await service.addActivity(
                    workspaceID: seeded.workspace.id, id: ids[0],
                    draft: ActivityDraft(type: "call", body: "Asked for a quote", occurredAt: nil, durationMinutes: 5),
                    actor: Actor(.user, id: member.id))
                // when the owner opens the home page
                let home = try await jar.get(client, "/")
                #expect(!home.text.contains("First steps"))
                #expect(home.text.contains("<strong>3</strong> Contacts"))
                // then the teammate's call on Lars is there, and not the owner's own creations
                let changes = try #require(
                    home.text.firstRange(of: "On your records").map { home.text[$0.upperBound...] })
                let feed = String(changes.prefix { $0 != "§" }.split(separator: "</ul>").first ?? "")
                #expect(feed.contains("Lars"))
                #expect(feed.contains("Call"))
                #expect(feed.contains("m@acme.test"))
                #expect(!feed.contains("Mette"))
                // and the chart counts contacts by stage, each bar linking to its list
                #expect(home.text.contains(#"<svg class="chart""#))
                #expect(home.text.contains(#"href="/contacts?lifecycle_stage=lead""#))
                #expect(home.text.contains("Lead: 2"))
                #expect(home.text.contains("Customer: 1"))
            }
        }
    }
}

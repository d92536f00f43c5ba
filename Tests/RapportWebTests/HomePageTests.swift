import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportStore
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
                            .system(seeded.workspace.id),
                            fields: [
                                "first_name": .string(name), "lifecycle_stage": .string(stage),
                                "owner_id": .string(seeded.owner.id),
                            ],
                            actor: Actor(.user, id: seeded.owner.id)
                        ).id)
                }
                _ = try await service.addActivity(
                    .system(seeded.workspace.id), id: ids[0],
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
                // the owner's own contacts have a panel that links to all of them; companies too, with none yet
                #expect(home.text.contains("My contacts"))
                #expect(home.text.contains(#"href="/contacts?owner_id=\#(seeded.owner.id)" class="small">All (3)"#))
                #expect(home.text.contains("My companies"))
                #expect(home.text.contains("Nothing is assigned to you yet."))
                // and the chart counts contacts by stage, each bar linking to its list
                #expect(home.text.contains(#"<svg class="chart""#))
                #expect(home.text.contains(#"href="/contacts?lifecycle_stage=lead""#))
                #expect(home.text.contains("Lead: 2"))
                #expect(home.text.contains("Customer: 1"))
            }
        }
    }

    @Test(
        "following a record brings others' changes to it to the home page; unfollowing, merging and another workspace behave",
        arguments: Backend.allCases)
    func follow(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, _) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let other = try await Fixtures.workspace(app, name: "Globex", email: "owner@globex.test")
            let service = RecordService(app.services, schema: .contacts)
            func contact(_ name: String, in workspace: Seeded) async throws -> Record {
                try await service.create(
                    .system(workspace.workspace.id), fields: ["first_name": .string(name)],
                    actor: Actor(.user, id: workspace.owner.id))
            }
            let lars = try await contact("Lars", in: seeded)
            let mette = try await contact("Mette", in: seeded)
            let hidden = try await contact("Hidden", in: other)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                var page = try await jar.get(client, "/contacts/\(lars.id)")
                #expect(page.text.contains(#"aria-pressed="false""#))
                let followed = try await jar.post(
                    client, "/contacts/\(lars.id)/follow",
                    form: ["following": "true", "csrf_token": page.csrfToken ?? ""])
                #expect(followed.status == .seeOther)
                page = try await jar.get(client, "/contacts/\(lars.id)")
                #expect(page.text.contains("You follow this record"))
                #expect(page.text.contains(#"aria-pressed="true""#))
                #expect(page.text.contains("Followed by 1"))
                // another workspace's record cannot be followed
                let foreign = try await jar.post(
                    client, "/contacts/\(hidden.id)/follow",
                    form: ["following": "true", "csrf_token": page.csrfToken ?? ""])
                #expect(foreign.status == .notFound)
                // a teammate logs calls on Lars (followed) and Mette (not followed, not owned)
                for record in [lars, mette] {
                    _ = try await service.addActivity(
                        .system(seeded.workspace.id), id: record.id,
                        draft: ActivityDraft(type: "call", body: "Called", occurredAt: nil, durationMinutes: 5),
                        actor: Actor(.user, id: member.id))
                }
                func feed() async throws -> String {
                    let home = try await jar.get(client, "/")
                    guard let start = home.text.firstRange(of: "On your records") else { return "" }
                    return String(home.text[start.upperBound...].split(separator: "</section>").first ?? "")
                }
                var shown = try await feed()
                #expect(shown.contains("Lars"))
                #expect(!shown.contains("Mette"))
                // merged into Mette, Lars's followers follow Mette
                _ = try await service.merge(
                    .system(seeded.workspace.id), id: mette.id, otherID: lars.id, prefer: [:],
                    actor: Actor(.user, id: member.id))
                #expect(
                    try await FollowRepository(store: app.services.store).isFollowing(
                        workspaceID: seeded.workspace.id, userID: seeded.owner.id, object: "contacts",
                        recordID: mette.id))
                shown = try await feed()
                #expect(shown.contains("Mette"))
                // and unfollowing takes it off the home page
                page = try await jar.get(client, "/contacts/\(mette.id)")
                _ = try await jar.post(
                    client, "/contacts/\(mette.id)/follow",
                    form: ["following": "false", "csrf_token": page.csrfToken ?? ""])
                shown = try await feed()
                #expect(!shown.contains("Mette"))
                #expect(!shown.contains("Lars"))
            }
        }
    }
}

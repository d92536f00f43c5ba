import Foundation
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Search after updates")
struct SearchAfterUpdateTests {
    @Test("records updated one after another are still found by a word of their name", arguments: Backend.allCases)
    func updatedAreFound(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let service = RecordService(app.services, schema: .contacts)
            var ids: [String] = []
            for index in 0..<3 {
                ids.append(
                    try await service.create(
                        .system(seeded.workspace.id),
                        fields: [
                            "first_name": .string("Lista\(index)"), "last_name": .string("Run01234567"),
                            "lifecycle_stage": .string("lead"),
                        ],
                        actor: Actor(.user, id: seeded.owner.id)
                    ).id)
            }
            for id in ids {
                _ = try await service.update(
                    .system(seeded.workspace.id), id: id, patch: ["tags": .array([.string("t01234567")])],
                    expectedVersion: nil, actor: Actor(.user, id: seeded.owner.id))
            }
            let found = try await service.list(
                .system(seeded.workspace.id), query: ListQuery(), limit: 50, after: nil,
                search: SearchKey.queryWords("run01234567"))
            #expect(found.records.count == 3)
        }
    }
}

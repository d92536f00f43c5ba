import Foundation
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Segments count relative days in the workspace's zone, on both databases: near midnight, "today" in Tehran is
/// already tomorrow in UTC's terms.
@Suite("Segments in the workspace's time zone")
struct SegmentTimeZoneTests {
    static func at(_ text: String) -> Int64 { Timestamp.micros(Timestamp.parseWithOffset(text)!) }

    @Test(
        "created today, yesterday and birthdays: UTC and Asia/Tehran disagree at 00:30 Tehran time",
        arguments: Backend.allCases)
    func nearMidnight(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let viewer = Principal(user: seeded.owner, workspace: seeded.workspace).viewer
            let records = RecordService(app.services, schema: .contacts)
            let actor = Actor(.user, id: seeded.owner.id)
            // given a contact made at 23:30 on 10 March in Tehran (20:00 UTC), and one whose birthday is 11 March
            let late = try await records.create(
                viewer, fields: ["first_name": .string("Late"), "birthday": .string("1990-03-10")], actor: actor)
            let birthday = try await records.create(
                viewer, fields: ["first_name": .string("Nowruz"), "birthday": .string("1988-03-11")], actor: actor)
            try await app.runtime.store.database.raw(
                "UPDATE contacts SET created_at = \(bind: Self.at("2026-03-10T20:00:00Z")) WHERE id = \(bind: late.id)"
            ).run()
            try await app.runtime.store.database.raw(
                "UPDATE contacts SET created_at = \(bind: Self.at("2026-03-01T12:00:00Z")) WHERE id = \(bind: birthday.id)"
            ).run()
            // when it is 21:00 UTC: still 10 March in UTC, 00:30 on 11 March in Tehran
            let now = Self.at("2026-03-10T21:00:00Z")
            let reach = SegmentReach(
                contacts: RecordScope.all(seeded.workspace.id), companies: RecordScope.all(seeded.workspace.id),
                orders: RecordScope.all(seeded.workspace.id))
            func members(_ query: String, _ zone: String) async throws -> [String] {
                let filter = try SegmentQuery.compile(
                    query, context: SegmentContext(userID: nil, now: now, timeZone: TimeZone(identifier: zone)!))
                return try await SegmentRepository(store: app.runtime.store).memberIDs(filter, reach: reach)
            }
            // then "today" is the 10th in UTC and the 11th in Tehran
            #expect(try await members("created_at = today", "UTC") == [late.id])
            #expect(try await members("created_at = today", "Asia/Tehran") == [])
            #expect(try await members("created_at = -1d", "Asia/Tehran") == [late.id])
            #expect(try await members("created_at >= today", "Asia/Tehran") == [])
            #expect(try await members("created_at > -1d", "UTC") == [late.id])
            #expect(try await members("birthday within 0d", "UTC") == [late.id])
            #expect(try await members("birthday within 0d", "Asia/Tehran") == [birthday.id])
            #expect(Set(try await members("birthday within 1d", "UTC")) == [late.id, birthday.id])
        }
    }
}

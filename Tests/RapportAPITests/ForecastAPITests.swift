import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportTestSupport
import Testing

/// The forecast of a small pipeline, every figure worked out by hand next to its expectation.
@Suite("Forecast")
struct ForecastAPITests {
    @Test("weighted, best case and won by month and by owner, in one currency", arguments: Backend.allCases)
    func forecast(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let rep = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                let (pipeline, stages) = try await DealsAPITests.stages(client, seeded.token)
                func deal(
                    _ name: String, _ amount: Int, _ currency: String, _ stage: String, close: String?, owner: String
                )
                    async throws -> String
                {
                    let created = try await client.json(
                        .post, "/api/v1/deals", seeded.token,
                        #"{"name": "\#(name)", "amount": \#(amount), "currency": "\#(currency)", "owner_id": "\#(owner)", "expected_close_date": \#(close.map { "\"\($0)\"" } ?? "null")}"#
                    )
                    let id = try #require(created.json["id"] as? String, "\(created.text)")
                    if stage != "Qualify" {
                        let moved = try await client.json(
                            .post, "/api/v1/deals/\(id)/move", seeded.token, #"{"stage_id": "\#(stages[stage]!)"}"#)
                        #expect(moved.status == .ok, "\(moved.text)")
                    }
                    return id
                }
                let me = seeded.owner.id
                // given open deals in March and April, one undated, one won today and one in euros
                _ = try await deal("A", 100_000, "DKK", "Qualify", close: "2027-03-10", owner: me)  // 10%: 10,000
                _ = try await deal("B", 50_000, "DKK", "Proposal", close: "2027-03-28", owner: rep.user.id)  // 60%: 30,000
                _ = try await deal("C", 20_001, "DKK", "Negotiation", close: "2027-04-02", owner: me)  // 80%: 16,000.8
                _ = try await deal("D", 7_000, "DKK", "Demo", close: nil, owner: me)  // 30%: 2,100
                _ = try await deal("E", 40_000, "DKK", "Won", close: "2027-01-01", owner: rep.user.id)
                _ = try await deal("F", 99_999, "EUR", "Qualify", close: "2027-03-01", owner: me)
                // when the forecast is asked by month (the pipeline has no currency: most deals are in DKK)
                let byMonth = try await client.json(.get, "/api/v1/forecast?pipeline_id=\(pipeline)", seeded.token)
                #expect(byMonth.status == .ok, "\(byMonth.text)")
                #expect(byMonth.json["currency"] as? String == "DKK")
                let rows = byMonth.json["rows"] as? [[String: Any]] ?? []
                let month = String(Timestamp.rfc3339(Timestamp.micros(Date())).prefix(7))
                // then: the month E was won in, March (A + B), April (C), and the undated D last
                #expect(rows.map { $0["month"] as? String ?? "none" } == [month, "2027-03", "2027-04", "none"])
                let march = rows.first { $0["month"] as? String == "2027-03" } ?? [:]
                #expect(march["weighted"] as? Int == 40_000)
                #expect(march["best_case"] as? Int == 150_000)
                #expect(march["open_deals"] as? Int == 2)
                let april = rows.first { $0["month"] as? String == "2027-04" } ?? [:]
                #expect(april["weighted"] as? Int == 16_001)  // 16,000.8 rounds to 16,001
                let won = rows.first { $0["month"] as? String == month } ?? [:]
                #expect(won["won"] as? Int == 40_000)
                #expect(won["won_deals"] as? Int == 1)
                let total = byMonth.json["total"] as? [String: Any] ?? [:]
                #expect(total["weighted"] as? Int == 10_000 + 30_000 + 16_001 + 2_100)
                #expect(total["best_case"] as? Int == 100_000 + 50_000 + 20_001 + 7_000)
                #expect(total["won"] as? Int == 40_000)
                // and by owner: the rep has B open and E won; the owner A, C and D
                let byOwner = try await client.json(
                    .get, "/api/v1/forecast?pipeline_id=\(pipeline)&group_by=owner", seeded.token)
                let owners = byOwner.json["rows"] as? [[String: Any]] ?? []
                let theirs = owners.first { $0["owner_id"] as? String == rep.user.id } ?? [:]
                #expect(theirs["weighted"] as? Int == 30_000)
                #expect(theirs["won"] as? Int == 40_000)
                let mine = owners.first { $0["owner_id"] as? String == me } ?? [:]
                #expect(mine["weighted"] as? Int == 10_000 + 16_001 + 2_100)
                // and a window through March leaves April out; euros are their own forecast
                let march31 = try await client.json(
                    .get, "/api/v1/forecast?pipeline_id=\(pipeline)&from=2027-03-01&to=2027-03-31", seeded.token)
                #expect(
                    (march31.json["rows"] as? [[String: Any]])?.compactMap { $0["month"] as? String } == ["2027-03"])
                let euros = try await client.json(
                    .get, "/api/v1/forecast?pipeline_id=\(pipeline)&currency=eur", seeded.token)
                #expect((euros.json["total"] as? [String: Any])?["best_case"] as? Int == 99_999)
                // and bad parameters are named
                let bad = try await client.json(
                    .get, "/api/v1/forecast?pipeline_id=\(pipeline)&group_by=week&currency=XYZ", seeded.token)
                #expect(bad.status == .unprocessableContent)
                #expect(
                    Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                        == ["group_by", "currency"])
            }
        }
    }
}

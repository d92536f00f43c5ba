import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// `/api/v1/campaigns` through the real router: validation, sending, figures, the winner, cancelling, and one
/// workspace kept from another's campaigns.
@Suite("Campaigns API", .timeLimit(.minutes(3)))
struct CampaignsAPITests {
    /// A segment of tagged contacts and a marketing template, made through the API.
    static func setup(_ client: some TestClientProtocol, _ seeded: Seeded, members: Int = 3) async throws -> (
        segment: String, template: String
    ) {
        for index in 0..<members {
            let made = try await client.json(
                .post, "/api/v1/contacts", seeded.token,
                #"{"first_name": "Member\#(index)", "email": "m\#(index)@mail.test", "tags": ["news"]}"#)
            #expect(made.status == .created)
        }
        let segment = try await client.json(
            .post, "/api/v1/segments", seeded.token, #"{"name": "News", "query": "tag = \"news\""}"#)
        #expect(segment.status == .created, "\(segment.text)")
        let template = try await client.json(
            .post, "/api/v1/templates", seeded.token,
            #"{"name": "News", "kind": "marketing", "subject": "Hi {{first_name}}", "html": "<p>Hi</p><a href=\"{{unsubscribe_url}}\">x</a>"}"#
        )
        #expect(template.status == .created, "\(template.text)")
        return (segment.json["id"] as! String, template.json["id"] as! String)
    }

    static func fields(_ response: TestResponse) -> Set<String> {
        Set(((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
    }

    @Test("create is validated field by field and changes nothing when refused", arguments: Backend.allCases)
    func validation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                let (segment, template) = try await Self.setup(client, seeded)
                let transactional =
                    try await client.json(
                        .post, "/api/v1/templates", seeded.token,
                        #"{"name": "Receipt", "kind": "transactional", "subject": "Receipt", "text": "Thanks"}"#
                    ).json["id"] as! String
                let cases: [(String, Set<String>)] = [
                    (#"{}"#, ["name", "segment_id", "template_id"]),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "colour": 1}"#,
                        ["colour"]
                    ),
                    (
                        #"{"name": "", "segment_id": "nope", "template_id": "\#(transactional)"}"#,
                        ["name", "segment_id", "template_id"]
                    ),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "send_at": "next week"}"#,
                        ["send_at"]
                    ),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "variants": [{"subject": "one"}]}"#,
                        ["variants"]
                    ),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "variants": [{}, {}, {}, {}, {}]}"#,
                        ["variants"]
                    ),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "winner_metric": "reply", "winner_wait_minutes": 1.5}"#,
                        ["winner_metric", "winner_wait_minutes"]
                    ),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "variants": [{"subject": "Hi {{nickname}}"}, {"template_id": "nope"}], "test_share": 0, "default_variant": "Z"}"#,
                        ["variants[0].subject", "variants[1].template_id", "test_share", "default_variant"]
                    ),
                    (
                        #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)", "variants": "A,B"}"#,
                        ["variants"]
                    ),
                ]
                for (body, expected) in cases {
                    let response = try await client.json(.post, "/api/v1/campaigns", seeded.token, body)
                    #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(Self.fields(response).isSuperset(of: expected), "\(body): \(Self.fields(response))")
                }
                let listed = try await client.json(.get, "/api/v1/campaigns", seeded.token)
                #expect((listed.json["data"] as? [Any])?.isEmpty == true)
                // a member reads, but may not make one
                let refused = try await client.json(
                    .post, "/api/v1/campaigns", memberToken,
                    #"{"name": "x", "segment_id": "\#(segment)", "template_id": "\#(template)"}"#)
                #expect(refused.status == .forbidden)
                #expect(try await client.json(.get, "/api/v1/campaigns", memberToken).status == .ok)
            }
        }
    }

    @Test(
        "a campaign is made, sent once, counted, and cancelled; a test's winner is chosen", arguments: Backend.allCases)
    func lifecycle(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (segment, template) = try await Self.setup(client, seeded)
                let created = try await client.json(
                    .post, "/api/v1/campaigns", seeded.token,
                    #"{"name": "May news", "segment_id": "\#(segment)", "template_id": "\#(template)", "send_at": null}"#
                )
                #expect(created.status == .created, "\(created.text)")
                #expect(created.headers[.location] != nil && created.headers[.eTag] != nil)
                let id = try #require(created.json["id"] as? String)
                #expect(created.json["status"] as? String == "draft")
                #expect(created.json["time_zone"] as? String == "UTC")
                let stats = try #require(created.json["stats"] as? [String: Any])
                for key in ["queued", "deferred", "sent", "bounced", "opened", "clicked", "unsubscribed"] {
                    #expect(stats[key] as? Int == 0, "\(key)")
                }
                #expect(stats["open_rate"] is NSNull)
                // a draft changes with a merge patch (If-Match holds it to its version)
                let stale = try await client.json(
                    .patch, "/api/v1/campaigns/\(id)", seeded.token, #"{"name": "x"}"#, headers: [.ifMatch: "\"nope\""])
                #expect(stale.status == .preconditionFailed)
                let patched = try await client.json(
                    .patch, "/api/v1/campaigns/\(id)", seeded.token, #"{"name": "June news"}"#,
                    headers: [.ifMatch: created.headers[.eTag]!])
                #expect(patched.status == .ok && patched.json["name"] as? String == "June news")
                // sent: the job enqueues each member once
                let sent = try await client.json(.post, "/api/v1/campaigns/\(id)/send", seeded.token)
                #expect(sent.status == .ok, "\(sent.text)")
                #expect(sent.json["status"] as? String == "sending")
                #expect(try await client.json(.post, "/api/v1/campaigns/\(id)/send", seeded.token).status == .conflict)
                #expect(
                    try await client.json(.patch, "/api/v1/campaigns/\(id)", seeded.token, #"{"name": "y"}"#).status
                        == .conflict)
                #expect(try await client.json(.delete, "/api/v1/campaigns/\(id)", seeded.token).status == .conflict)
                _ = try await CampaignSender(app.services).run(workspaceID: seeded.workspace.id, campaignID: id)
                _ = try await CampaignSender(app.services).run(workspaceID: seeded.workspace.id, campaignID: id)
                let read = try await client.json(.get, "/api/v1/campaigns/\(id)", seeded.token)
                #expect(read.json["status"] as? String == "sent")
                #expect((read.json["stats"] as? [String: Any])?["queued"] as? Int == 3)
                #expect(read.json["audience"] as? Int == 3)
                let messages = try await client.json(.get, "/api/v1/campaigns/\(id)/messages?limit=2", seeded.token)
                #expect((messages.json["data"] as? [[String: Any]])?.count == 2)
                #expect(messages.json["next_cursor"] is String)
                #expect(
                    try await client.json(.get, "/api/v1/campaigns/\(id)/messages?state=lost", seeded.token).status
                        == .unprocessableContent)
                // cancelled: its queued messages are skipped as cancelled
                let cancelled = try await client.json(.post, "/api/v1/campaigns/\(id)/cancel", seeded.token)
                #expect(cancelled.status == .ok)
                #expect(cancelled.json["status"] as? String == "cancelled")
                #expect((cancelled.json["stats"] as? [String: Any])?["skipped"] as? Int == 3)
                let reasons = try #require(cancelled.json["reasons"] as? [[String: Any]])
                #expect(reasons.first?["reason"] as? String == "The campaign was cancelled.")
                #expect(
                    try await client.json(.post, "/api/v1/campaigns/\(id)/cancel", seeded.token).status == .conflict)
                // not a test: no winner to choose
                #expect(
                    try await client.json(.post, "/api/v1/campaigns/\(id)/winner", seeded.token, #"{"variant": "A"}"#)
                        .status == .unprocessableContent)

                // an A/B test: its variants, the choice for a result that is not significant
                let test = try await client.json(
                    .post, "/api/v1/campaigns", seeded.token,
                    #"{"name": "Subjects", "segment_id": "\#(segment)", "template_id": "\#(template)", "variants": [{"subject": "Hi {{first_name}}"}, {"subject": "News for {{first_name | default: \"you\"}}"}], "test_share": 50, "winner_metric": "click", "winner_wait_minutes": 90}"#
                )
                #expect(test.status == .created, "\(test.text)")
                let testID = try #require(test.json["id"] as? String)
                let variants = try #require(test.json["variants"] as? [[String: Any]])
                #expect(variants.compactMap { $0["key"] as? String } == ["A", "B"])
                #expect(test.json["default_variant"] as? String == "A")
                #expect(test.json["test"] is [String: Any])
                let bad = try await client.json(
                    .post, "/api/v1/campaigns/\(testID)/winner", seeded.token, #"{"variant": "D"}"#)
                #expect(bad.status == .unprocessableContent)
                let chosen = try await client.json(
                    .post, "/api/v1/campaigns/\(testID)/winner", seeded.token, #"{"variant": "B"}"#)
                #expect(chosen.status == .ok && chosen.json["chosen_variant"] as? String == "B")
                // a draft is deleted
                #expect(
                    try await client.json(.delete, "/api/v1/campaigns/\(testID)", seeded.token).status == .noContent)
                #expect(try await client.json(.get, "/api/v1/campaigns/\(testID)", seeded.token).status == .notFound)
            }
        }
    }

    @Test(
        "send_at without an offset is read in the workspace's time zone; a scheduled campaign goes back to a draft",
        arguments: Backend.allCases)
    func timeZone(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.runtime.store.database.raw(
                "UPDATE workspaces SET time_zone = 'Europe/Copenhagen' WHERE id = \(bind: seeded.workspace.id)"
            ).run()
            try await app.test { client in
                let (segment, template) = try await Self.setup(client, seeded, members: 1)
                let created = try await client.json(
                    .post, "/api/v1/campaigns", seeded.token,
                    #"{"name": "Summer", "segment_id": "\#(segment)", "template_id": "\#(template)", "send_at": "2031-07-01T09:00"}"#
                )
                #expect(created.json["send_at"] as? String == "2031-07-01T07:00:00.000Z")
                #expect(created.json["time_zone"] as? String == "Europe/Copenhagen")
                let id = try #require(created.json["id"] as? String)
                let sent = try await client.json(.post, "/api/v1/campaigns/\(id)/send", seeded.token)
                #expect(sent.json["status"] as? String == "scheduled")
                let patched = try await client.json(
                    .patch, "/api/v1/campaigns/\(id)", seeded.token, #"{"send_at": "2031-07-01T09:00:00Z"}"#)
                #expect(patched.status == .conflict)
                // back to a draft: its send job is gone, and it can be changed and scheduled again
                let jobs: @Sendable () async throws -> Int = {
                    try await app.runtime.store.database.raw(
                        "SELECT COUNT(*) AS n FROM jobs WHERE dedup_key = \(bind: "campaign:\(id)")"
                    ).first()?.decode(column: "n", as: Int.self) ?? -1
                }
                #expect(try await jobs() == 1)
                let unscheduled = try await client.json(.post, "/api/v1/campaigns/\(id)/unschedule", seeded.token)
                #expect(unscheduled.status == .ok)
                #expect(unscheduled.json["status"] as? String == "draft")
                #expect(try await jobs() == 0)
                let again = try await client.json(.post, "/api/v1/campaigns/\(id)/unschedule", seeded.token)
                #expect(again.status == .conflict)
                let moved = try await client.json(
                    .patch, "/api/v1/campaigns/\(id)", seeded.token, #"{"send_at": "2031-07-02T09:00"}"#)
                #expect(moved.status == .ok)
                #expect(moved.json["send_at"] as? String == "2031-07-02T07:00:00.000Z")
                let rescheduled = try await client.json(.post, "/api/v1/campaigns/\(id)/send", seeded.token)
                #expect(rescheduled.json["status"] as? String == "scheduled")
                #expect(try await jobs() == 1)
            }
        }
    }

    @Test("one workspace cannot read or change another's campaigns", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let a = try await Fixtures.workspace(app)
            let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
            try await app.test { client in
                let (segment, template) = try await Self.setup(client, a)
                let made = try await client.json(
                    .post, "/api/v1/campaigns", a.token,
                    #"{"name": "A's", "segment_id": "\#(segment)", "template_id": "\#(template)", "variants": [{"subject": "x"}, {"subject": "y"}]}"#
                )
                let id = try #require(made.json["id"] as? String)
                // B sees no campaign of A's and reaches none
                let list = try await client.json(.get, "/api/v1/campaigns", b.token)
                #expect((list.json["data"] as? [Any])?.isEmpty == true)
                let attempts: [(HTTPRequest.Method, String, String?)] = [
                    (.get, "/api/v1/campaigns/\(id)", nil),
                    (.patch, "/api/v1/campaigns/\(id)", #"{"name": "mine"}"#),
                    (.delete, "/api/v1/campaigns/\(id)", nil),
                    (.post, "/api/v1/campaigns/\(id)/send", nil),
                    (.post, "/api/v1/campaigns/\(id)/cancel", nil),
                    (.post, "/api/v1/campaigns/\(id)/unschedule", nil),
                    (.post, "/api/v1/campaigns/\(id)/winner", #"{"variant": "A"}"#),
                    (.get, "/api/v1/campaigns/\(id)/messages", nil),
                ]
                for (method, uri, body) in attempts {
                    let response = try await client.json(method, uri, b.token, body)
                    #expect(response.status == .notFound, "\(method) \(uri): \(response.status)")
                }
                // nor can B make a campaign of A's segment and template
                let borrowed = try await client.json(
                    .post, "/api/v1/campaigns", b.token,
                    #"{"name": "B's", "segment_id": "\#(segment)", "template_id": "\#(template)"}"#)
                #expect(borrowed.status == .unprocessableContent)
                #expect(Self.fields(borrowed) == ["segment_id", "template_id"])
                // and A's campaign is as it was
                let read = try await client.json(.get, "/api/v1/campaigns/\(id)", a.token)
                #expect(read.json["name"] as? String == "A's" && read.json["status"] as? String == "draft")
                #expect(read.json["chosen_variant"] is NSNull)
            }
        }
    }
}

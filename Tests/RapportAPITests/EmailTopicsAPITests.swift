import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Email topics API")
struct EmailTopicsAPITests {
    @Test(
        "owners and admins make, rename and delete topics; members read them; bad input answers problem+json and changes nothing",
        arguments: Backend.allCases)
    func lifecycle(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, member) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                let created = try await client.json(
                    .post, "/api/v1/email-topics", seeded.token, #"{"name": " Newsletter ", "description": "Monthly"}"#)
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                #expect(created.json["name"] as? String == "Newsletter")
                #expect(created.headers[.location] == "/api/v1/email-topics/\(id)")
                let etag = try #require(created.headers[.eTag])
                // a name the workspace has (in any case), a blank name, an unknown member
                let taken = try await client.json(
                    .post, "/api/v1/email-topics", seeded.token, #"{"name": "newsletter"}"#)
                #expect(taken.status == .conflict)
                #expect(taken.headers[.contentType] == "application/problem+json")
                let blank = try await client.json(
                    .post, "/api/v1/email-topics", seeded.token, #"{"name": "  ", "colour": "red"}"#)
                #expect(blank.status == .unprocessableContent)
                let fields = (blank.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                #expect(Set(fields) == ["name", "colour"])
                // a member reads but may not write
                let list = try await client.json(.get, "/api/v1/email-topics", member)
                #expect(list.status == .ok)
                #expect((list.json["data"] as? [[String: Any]])?.count == 1)
                #expect(list.json.keys.contains("next_cursor"))
                let refused = try await client.json(.post, "/api/v1/email-topics", member, #"{"name": "Events"}"#)
                #expect(refused.status == .forbidden)
                let memberPatch = try await client.json(
                    .patch, "/api/v1/email-topics/\(id)", member, #"{"name": "Hacked"}"#)
                #expect(memberPatch.status == .forbidden)
                // a stale If-Match, then a rename that removes the description
                let renamed = try await client.json(
                    .patch, "/api/v1/email-topics/\(id)", seeded.token, #"{"name": "News", "description": null}"#,
                    headers: [.ifMatch: etag])
                #expect(renamed.status == .ok, "\(renamed.text)")
                #expect(renamed.json["name"] as? String == "News")
                #expect(renamed.json["description"] is NSNull)
                let stale = try await client.json(
                    .patch, "/api/v1/email-topics/\(id)", seeded.token, #"{"name": "Old"}"#, headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                let got = try await client.json(.get, "/api/v1/email-topics/\(id)", seeded.token)
                #expect(got.json["name"] as? String == "News")
                // deleting it leaves its templates without a topic
                let template = try await client.json(
                    .post, "/api/v1/templates", seeded.token,
                    #"{"name": "Monthly", "kind": "marketing", "subject": "News", "html": "<a href=\"{{unsubscribe_url}}\">x</a> <a href=\"{{preferences_url}}\">y</a>", "topic_id": "\#(id)"}"#
                )
                #expect(template.status == .created, "\(template.text)")
                #expect(template.json["topic_id"] as? String == id)
                let memberDelete = try await client.json(.delete, "/api/v1/email-topics/\(id)", member)
                #expect(memberDelete.status == .forbidden)
                let deleted = try await client.json(.delete, "/api/v1/email-topics/\(id)", seeded.token)
                #expect(deleted.status == .noContent)
                let templateID = try #require(template.json["id"] as? String)
                let after = try await client.json(.get, "/api/v1/templates/\(templateID)", seeded.token)
                #expect(after.json["topic_id"] is NSNull)
                #expect(try await client.json(.get, "/api/v1/email-topics/\(id)", seeded.token).status == .notFound)
            }
        }
    }

    @Test(
        "one workspace can neither read, change, delete nor name in a template another's topic",
        arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let globex = try await Fixtures.workspace(app, name: "Globex", email: "owner@globex.test")
            try await app.test { client in
                let created = try await client.json(
                    .post, "/api/v1/email-topics", acme.token, #"{"name": "Events"}"#)
                let id = try #require(created.json["id"] as? String)
                for (method, body) in [
                    (HTTPRequest.Method.get, nil), (.patch, #"{"name": "Mine"}"#), (.delete, nil),
                ] as [(HTTPRequest.Method, String?)] {
                    let response = try await client.json(method, "/api/v1/email-topics/\(id)", globex.token, body)
                    #expect(response.status == .notFound, "\(method)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                let list = try await client.json(.get, "/api/v1/email-topics", globex.token)
                #expect((list.json["data"] as? [[String: Any]])?.isEmpty == true)
                let template = try await client.json(
                    .post, "/api/v1/templates", globex.token,
                    #"{"name": "X", "kind": "marketing", "subject": "X", "html": "<a href=\"{{unsubscribe_url}}\">x</a>", "topic_id": "\#(id)"}"#
                )
                #expect(template.status == .unprocessableContent)
                #expect(template.text.contains("topic_id"))
                let transactional = try await client.json(
                    .post, "/api/v1/templates", acme.token,
                    #"{"name": "Receipt", "kind": "transactional", "subject": "Receipt", "text": "Thanks", "topic_id": "\#(id)"}"#
                )
                #expect(transactional.status == .unprocessableContent)
                let topic = try #require(
                    try await EmailTopicRepository(store: app.runtime.store).find(
                        workspaceID: acme.workspace.id, id: id))
                #expect(topic.name == "Events" && topic.version == 1)
                let templates = try await TemplateRepository(store: app.runtime.store).all(
                    workspaceID: globex.workspace.id)
                #expect(templates.isEmpty)
            }
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Notifications API")
struct NotificationsAPITests {
    /// Notifications straight into the store: `count` to `recipient`, the newest last.
    static func give(_ app: TestApp, _ count: Int, to recipient: User, text: String = "Note") async throws
        -> [UserNotification]
    {
        let made = (0..<count).map { index in
            UserNotification(
                workspaceID: recipient.workspaceID, recipientID: recipient.id, kind: .mention, recordType: "contact",
                recordID: RecordID.make(), actorID: nil, text: "\(text) \(index)",
                createdAt: Timestamp.micros(Date()) + Int64(index))
        }
        try await NotificationRepository(store: app.services.store).insert(made)
        return made
    }

    static func read(_ client: any TestClientProtocol, _ token: String, _ body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/notifications/read", method: .post, headers: .bearer(token), body: .json(body))
    }

    static func unread(_ client: any TestClientProtocol, _ token: String) async throws -> Int? {
        try await client.execute(uri: "/api/v1/notifications/unread_count", method: .get, headers: .bearer(token))
            .json["count"] as? Int
    }

    @Test(
        "a user lists their notifications newest first, the unread ones alone, counts them and marks them read",
        arguments: Backend.allCases)
    func listCountMark(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let given = try await Self.give(app, 3, to: seeded.owner)
            try await app.test { client in
                // the list: newest first, every member present, null for what is absent
                let list = try await client.execute(
                    uri: "/api/v1/notifications?limit=2", method: .get, headers: .bearer(seeded.token))
                #expect(list.status == .ok)
                #expect(list.headers[.contentType]?.hasPrefix("application/json") == true)
                let rows = try #require(list.json["data"] as? [[String: Any]])
                #expect(rows.map { $0["text"] as? String } == ["Note 2", "Note 1"])
                #expect(
                    Set(rows[0].keys)
                        == ["id", "kind", "record_type", "record_id", "actor_id", "text", "created_at", "read_at"])
                #expect(rows[0]["kind"] as? String == "mention")
                #expect(rows[0]["record_type"] as? String == "contact")
                #expect(rows[0]["actor_id"] is NSNull)
                #expect(rows[0]["read_at"] is NSNull)
                let cursor = try #require(list.json["next_cursor"] as? String)
                let rest = try await client.execute(
                    uri: "/api/v1/notifications?limit=2&cursor=\(cursor)", method: .get, headers: .bearer(seeded.token))
                #expect((rest.json["data"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Note 0"])
                #expect(rest.json["next_cursor"] is NSNull)
                #expect(try await Self.unread(client, seeded.token) == 3)
                // marking one by id: it is read, and the unread list and count leave it out
                let marked = try await Self.read(client, seeded.token, #"{"ids": ["\#(given[2].id)"]}"#)
                #expect(marked.status == .ok)
                #expect(marked.json["updated"] as? Int == 1)
                #expect(try await Self.unread(client, seeded.token) == 2)
                let unread = try await client.execute(
                    uri: "/api/v1/notifications?unread=true", method: .get, headers: .bearer(seeded.token))
                #expect(
                    (unread.json["data"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Note 1", "Note 0"])
                let all = try await client.execute(
                    uri: "/api/v1/notifications", method: .get, headers: .bearer(seeded.token))
                let first = try #require((all.json["data"] as? [[String: Any]])?.first)
                #expect((first["read_at"] as? String).flatMap(Timestamp.parse) != nil)
                // the same id again marks nothing more; all marks the rest
                #expect(
                    try await Self.read(client, seeded.token, #"{"ids": ["\#(given[2].id)"]}"#).json["updated"] as? Int
                        == 0)
                #expect(try await Self.read(client, seeded.token, #"{"all": true}"#).json["updated"] as? Int == 2)
                #expect(try await Self.unread(client, seeded.token) == 0)
                let none = try await client.execute(
                    uri: "/api/v1/notifications?unread=true", method: .get, headers: .bearer(seeded.token))
                #expect((none.json["data"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(
        "another user's and another workspace's notifications are never listed or marked", arguments: Backend.allCases)
    func onlyTheirOwn(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let other = try await Fixtures.workspace(app, name: "Globex", email: "owner@globex.test")
            let owners = try await Self.give(app, 2, to: seeded.owner, text: "Owner's")
            let members = try await Self.give(app, 1, to: member, text: "Member's")
            let globex = try await Self.give(app, 1, to: other.owner, text: "Globex's")
            try await app.test { client in
                let list = try await client.execute(
                    uri: "/api/v1/notifications", method: .get, headers: .bearer(memberToken))
                #expect((list.json["data"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Member's 0"])
                // the member sends the owner's and Globex's ids, and their own: only theirs is marked
                let ids = (owners + globex + members).map { "\"\($0.id)\"" }.joined(separator: ", ")
                let marked = try await Self.read(client, memberToken, #"{"ids": [\#(ids), "not-an-id"]}"#)
                #expect(marked.json["updated"] as? Int == 1)
                // "all" is all of the caller's own
                #expect(try await Self.read(client, other.token, #"{"all": true}"#).json["updated"] as? Int == 1)
                #expect(try await Self.unread(client, seeded.token) == 2)
                #expect(try await Self.unread(client, memberToken) == 0)
                #expect(try await Self.unread(client, other.token) == 0)
                // without a token, nothing at all
                let anonymous = try await client.execute(uri: "/api/v1/notifications", method: .get)
                #expect(anonymous.status == .unauthorized)
            }
        }
    }

    @Test(
        "bad bodies and parameters answer 422 naming the field, and mark nothing",
        arguments: [
            (#"{"ids": ["x"], "all": true}"#, ["all", "ids"]),
            (#"{}"#, ["ids"]),
            (#"{"ids": [1, 2]}"#, ["ids"]),
            (#"{"ids": "abc"}"#, ["ids"]),
            (#"{"all": false}"#, ["all"]),
            (#"{"all": "yes"}"#, ["all"]),
            (#"{"all": true, "colour": "red"}"#, ["colour"]),
        ])
    func validation(_ body: String, _ fields: [String]) async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let given = try await Self.give(app, 1, to: seeded.owner)
            try await app.test { client in
                let bad = try await Self.read(
                    client, seeded.token, body.replacingOccurrences(of: "\"x\"", with: "\"\(given[0].id)\""))
                #expect(bad.status == .unprocessableContent)
                #expect(bad.headers[.contentType] == "application/problem+json")
                let named = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(Set(named ?? []) == Set(fields))
                #expect(try await Self.unread(client, seeded.token) == 1)
            }
        }
    }

    @Test("list parameters out of range answer 422 naming them", arguments: [Backend.sqlite])
    func listValidation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                for (query, field) in [("unread=yes", "unread"), ("limit=0", "limit"), ("cursor=nonsense", "cursor")] {
                    let response = try await client.execute(
                        uri: "/api/v1/notifications?\(query)", method: .get, headers: .bearer(seeded.token))
                    #expect(response.status == .unprocessableContent, "\(query)")
                    let named = (response.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                    #expect(named == [field])
                }
            }
        }
    }

    @Test(
        "a change made through the API reaches a follower, and the change's author hears nothing",
        arguments: Backend.allCases)
    func endToEnd(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                // the owner makes a contact that the member owns, then changes it
                let created = try await client.execute(
                    uri: "/api/v1/contacts", method: .post, headers: .bearer(seeded.token),
                    body: .json(#"{"first_name": "Oksana", "owner_id": null}"#))
                let id = try #require(created.json["id"] as? String)
                let member = try #require(try await app.services.accounts.user(email: "m@acme.test"))
                _ = try await client.execute(
                    uri: "/api/v1/contacts/\(id)", method: .patch, headers: .bearer(seeded.token),
                    body: .json(#"{"owner_id": "\#(member.id)"}"#))
                _ = try await client.execute(
                    uri: "/api/v1/contacts/\(id)", method: .patch, headers: .bearer(seeded.token),
                    body: .json(#"{"job_title": "CTO", "city": "Kyiv"}"#))
                let list = try await client.execute(
                    uri: "/api/v1/notifications", method: .get, headers: .bearer(memberToken))
                let texts = (list.json["data"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
                #expect(
                    texts == [
                        "Owner of Acme changed Job title and City on Oksana",
                        "Owner of Acme made you the owner of Oksana",
                    ])
                #expect(try await Self.unread(client, seeded.token) == 0)
            }
        }
    }
}

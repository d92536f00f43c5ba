import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

@Suite("Invites API")
struct InvitesAPITests {
    static func invite(
        _ client: any TestClientProtocol, token: String, _ body: String, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/invites", method: .post, headers: .bearer(token, headers), body: .json(body))
    }

    @Test(
        "an owner invites by email: the link comes back once, the list never shows it, and it works on the web",
        arguments: Backend.allCases)
    func createListRevoke(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given an invitation made through the API
                let created = try await Self.invite(
                    client, token: seeded.token, #"{"email": " Mette@Acme.TEST ", "role": "admin", "name": "Mette"}"#,
                    headers: [.xForwardedProto: "https"])
                #expect(created.status == .created)
                #expect(created.headers[.contentType]?.hasPrefix("application/json") == true)
                let id = try #require(created.json["id"] as? String)
                #expect(created.headers[.location] == "/api/v1/invites/\(id)")
                #expect(created.json["email"] as? String == "mette@acme.test")
                #expect(created.json["role"] as? String == "admin")
                #expect(created.json["status"] as? String == "pending")
                #expect(created.json["invited_by"] as? String == seeded.owner.id)
                let link = try #require(created.json["link"] as? String)
                #expect(link.hasPrefix("https://localhost/invite/"))  // the request's address, as a proxy forwarded it
                let token = String(link.split(separator: "/").last ?? "")
                // the list shows it without the link, and null for what is absent
                let list = try await client.execute(
                    uri: "/api/v1/invites", method: .get, headers: .bearer(seeded.token))
                #expect(list.status == .ok)
                let rows = try #require(list.json["data"] as? [[String: Any]])
                #expect(rows.count == 1)
                #expect(rows[0]["id"] as? String == id)
                #expect(rows[0]["link"] == nil)
                #expect(!list.text.contains(token))
                #expect(list.json["next_cursor"] is NSNull)
                // the link opens the sign-up page
                #expect(try await client.execute(uri: "/invite/\(token)", method: .get).status == .ok)
                // revoking answers 204, then the link is gone and the list empty
                let revoked = try await client.execute(
                    uri: "/api/v1/invites/\(id)", method: .delete, headers: .bearer(seeded.token))
                #expect(revoked.status == .noContent)
                #expect(try await client.execute(uri: "/invite/\(token)", method: .get).status == .gone)
                let again = try await client.execute(
                    uri: "/api/v1/invites/\(id)", method: .delete, headers: .bearer(seeded.token))
                #expect(again.status == .notFound)
                #expect(again.headers[.contentType] == "application/problem+json")
                let empty = try await client.execute(
                    uri: "/api/v1/invites", method: .get, headers: .bearer(seeded.token))
                #expect((empty.json["data"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test("a configured public URL starts the link, whatever address the request came to", arguments: [Backend.sqlite])
    func publicURL(_ backend: Backend) async throws {
        try await TestApp.with(backend, configure: { $0.publicURL = "https://crm.example.com/rapport" }) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let created = try await Self.invite(
                    client, token: seeded.token, #"{"email": "a@b.test"}"#)
                let link = try #require(created.json["link"] as? String)
                #expect(link.hasPrefix("https://crm.example.com/rapport/invite/"))
                #expect(created.json["role"] as? String == "member")
            }
        }
    }

    @Test("members get 403, admins may not invite owners, and nothing is made", arguments: Backend.allCases)
    func onlyAdminsInvite(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, member) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let (_, admin) = try await Fixtures.user(app, in: seeded, email: "a@acme.test", role: .admin)
            try await app.test { client in
                let refused = try await Self.invite(client, token: member, #"{"email": "x@acme.test"}"#)
                #expect(refused.status == .forbidden)
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(refused.json["status"] as? Int == 403)
                let list = try await client.execute(uri: "/api/v1/invites", method: .get, headers: .bearer(member))
                #expect(list.status == .forbidden)
                let owner = try await Self.invite(client, token: admin, #"{"email": "x@acme.test", "role": "owner"}"#)
                #expect(owner.status == .forbidden)
                let made = try await Self.invite(client, token: admin, #"{"email": "x@acme.test", "role": "admin"}"#)
                #expect(made.status == .created)
                let id = try #require(made.json["id"] as? String)
                let delete = try await client.execute(
                    uri: "/api/v1/invites/\(id)", method: .delete, headers: .bearer(member))
                #expect(delete.status == .forbidden)
            }
            let open = try await app.services.invites.open(workspaceID: seeded.workspace.id, limit: 10, after: nil)
            #expect(open.items.map(\.email) == ["x@acme.test"])
        }
    }

    @Test("bad bodies answer 422 naming each field; an existing user's email 409", arguments: Backend.allCases)
    func validation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let bad = try await Self.invite(
                    client, token: seeded.token, #"{"email": "not an email", "role": "boss", "colour": "red"}"#)
                #expect(bad.status == .unprocessableContent)
                let fields = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(Set(fields ?? []) == ["colour", "email", "role"])
                let missing = try await Self.invite(client, token: seeded.token, #"{"name": "No email"}"#)
                #expect(missing.status == .unprocessableContent)
                let typed = try await Self.invite(client, token: seeded.token, #"{"email": 5}"#)
                #expect(typed.status == .unprocessableContent)
                let taken = try await Self.invite(client, token: seeded.token, #"{"email": "OWNER@acme.test"}"#)
                #expect(taken.status == .conflict)
                #expect(taken.headers[.contentType] == "application/problem+json")
                let limit = try await client.execute(
                    uri: "/api/v1/invites?limit=0", method: .get, headers: .bearer(seeded.token))
                #expect(limit.status == .unprocessableContent)
            }
            #expect(
                try await app.services.invites.open(workspaceID: seeded.workspace.id, limit: 10, after: nil).items
                    .isEmpty)
        }
    }

    @Test("one workspace cannot list or revoke another's invitations", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let made = try await Self.invite(client, token: acme.token, #"{"email": "new@acme.test"}"#)
                let id = try #require(made.json["id"] as? String)
                let list = try await client.execute(uri: "/api/v1/invites", method: .get, headers: .bearer(other.token))
                #expect((list.json["data"] as? [Any])?.isEmpty == true)
                let delete = try await client.execute(
                    uri: "/api/v1/invites/\(id)", method: .delete, headers: .bearer(other.token))
                #expect(delete.status == .notFound)
                let malformed = try await client.execute(
                    uri: "/api/v1/invites/not-an-id", method: .delete, headers: .bearer(other.token))
                #expect(malformed.status == .notFound)
                let still = try await client.execute(uri: "/api/v1/invites", method: .get, headers: .bearer(acme.token))
                #expect((still.json["data"] as? [[String: Any]])?.first?["id"] as? String == id)
            }
        }
    }

    @Test("invitation lists page newest first with a cursor", arguments: Backend.allCases)
    func paging(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                for index in 0..<3 {
                    let made = try await Self.invite(client, token: seeded.token, #"{"email": "p\#(index)@acme.test"}"#)
                    #expect(made.status == .created)
                }
                let first = try await client.execute(
                    uri: "/api/v1/invites?limit=2", method: .get, headers: .bearer(seeded.token))
                let cursor = try #require(first.json["next_cursor"] as? String)
                let second = try await client.execute(
                    uri: "/api/v1/invites?limit=2&cursor=\(cursor)", method: .get, headers: .bearer(seeded.token))
                let emails =
                    ((first.json["data"] as? [[String: Any]]) ?? []) + ((second.json["data"] as? [[String: Any]]) ?? [])
                #expect(
                    emails.compactMap { $0["email"] as? String } == ["p2@acme.test", "p1@acme.test", "p0@acme.test"])
            }
        }
    }
}

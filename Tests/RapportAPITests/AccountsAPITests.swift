import Foundation
import HTTPTypes
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Accounts API")
struct AccountsAPITests {
    @Test("GET /api/v1/me shows the token's user and workspace with an ETag", arguments: Backend.allCases)
    func me(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let response = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] != nil)
                let user = response.json["user"] as? [String: Any]
                #expect(user?["email"] as? String == "owner@acme.test")
                #expect(user?["role"] as? String == "owner")
                #expect(user?["language"] as? String == "en")
                #expect((response.json["workspace"] as? [String: Any])?["name"] as? String == "Acme")
            }
        }
    }

    @Test("PATCH /api/v1/me merges name and language and honours If-Match", arguments: Backend.allCases)
    func patchMe(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let before = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                let etag = try #require(before.headers[.eTag])
                // when the ETag matches, the change is made and a new ETag comes back
                let patched = try await client.execute(
                    uri: "/api/v1/me", method: .patch,
                    headers: .bearer(seeded.token, [.ifMatch: etag, .contentType: "application/merge-patch+json"]),
                    body: .json(#"{"name": "Оксана Коваленко", "language": "uk"}"#))
                #expect(patched.status == .ok)
                let user = patched.json["user"] as? [String: Any]
                #expect(user?["name"] as? String == "Оксана Коваленко")
                #expect(user?["language"] as? String == "uk")
                #expect(patched.headers[.eTag] != etag)
                // the old ETag is now stale: 412 and nothing changes
                let stale = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: .bearer(seeded.token, [.ifMatch: etag]),
                    body: .json(#"{"name": "Someone else"}"#))
                #expect(stale.status == .preconditionFailed)
                #expect(stale.headers[.contentType] == "application/problem+json")
                let after = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                #expect((after.json["user"] as? [String: Any])?["name"] as? String == "Оксана Коваленко")
            }
        }
    }

    @Test("a bad merge patch is refused naming each field and changes nothing", arguments: Backend.allCases)
    func badPatch(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let response = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: .bearer(seeded.token),
                    body: .json(#"{"name": 42, "language": "klingon", "role": "owner"}"#))
                #expect(response.status == .unprocessableContent)
                let fields = (response.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(Set(fields ?? []) == ["name", "language", "role"])
                let nulled = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: .bearer(seeded.token), body: .json(#"{"name": null}"#))
                #expect(nulled.status == .unprocessableContent)
                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                #expect((me.json["user"] as? [String: Any])?["name"] as? String == "Owner of Acme")
            }
        }
    }

    @Test("a token is created once, used, listed without its secret, and revoked", arguments: Backend.allCases)
    func tokenLifecycle(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let created = try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: .bearer(seeded.token),
                    body: .json(#"{"name": "zapier"}"#))
                #expect(created.status == .created)
                let secret = try #require(created.json["token"] as? String)
                let id = try #require(created.json["id"] as? String)
                #expect(created.json["created_at"] is String)
                // the new token works
                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(secret))
                #expect(me.status == .ok)
                // listed without any secret, with its last use
                let list = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: .bearer(seeded.token))
                #expect(!list.text.contains(secret))
                let rows = list.json["data"] as? [[String: Any]] ?? []
                #expect(rows.map { $0["name"] as? String } == ["zapier", "test"])
                #expect(rows.first?["last_used_at"] is String)
                #expect(rows.last?.keys.contains("last_used_at") == true)
                #expect(list.json.keys.contains("next_cursor"))
                // revoked: 204, then 401 for it, gone from the list, and a second revoke is 404
                let revoked = try await client.execute(
                    uri: "/api/v1/tokens/\(id)", method: .delete, headers: .bearer(seeded.token))
                #expect(revoked.status == .noContent)
                #expect(
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(secret)).status
                        == .unauthorized)
                let after = try await client.execute(
                    uri: "/api/v1/tokens", method: .get, headers: .bearer(seeded.token))
                #expect((after.json["data"] as? [[String: Any]])?.count == 1)
                let again = try await client.execute(
                    uri: "/api/v1/tokens/\(id)", method: .delete, headers: .bearer(seeded.token))
                #expect(again.status == .notFound)
            }
        }
    }

    @Test("another user's token answers 404 and stays usable", arguments: Backend.allCases)
    func otherUsersToken(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let memberTokens = try await app.services.tokens.list(
                workspaceID: seeded.workspace.id, userID: member.id, limit: 10, after: nil)
            try await app.test { client in
                let response = try await client.execute(
                    uri: "/api/v1/tokens/\(memberTokens.items[0].id)", method: .delete, headers: .bearer(seeded.token))
                #expect(response.status == .notFound)
                #expect(
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(memberToken)).status
                        == .ok)
            }
        }
    }

    @Test("owners and admins manage users; a member gets 403", arguments: Backend.allCases)
    func roles(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let (_, adminToken) = try await Fixtures.user(app, in: seeded, email: "a@acme.test", role: .admin)
            try await app.test { client in
                let body = #"{"email": "new@acme.test", "name": "Søren", "role": "member", "password": "long enough"}"#
                #expect(
                    try await client.execute(uri: "/api/v1/users", method: .get, headers: .bearer(memberToken)).status
                        == .forbidden)
                let refused = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: .bearer(memberToken), body: .json(body))
                #expect(refused.status == .forbidden)
                let created = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: .bearer(adminToken), body: .json(body))
                #expect(created.status == .created)
                #expect(created.json["email"] as? String == "new@acme.test")
                #expect(created.json["password"] == nil)
                let ownerByAdmin = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: .bearer(adminToken),
                    body: .json(#"{"email": "boss@acme.test", "role": "owner", "password": "long enough"}"#))
                #expect(ownerByAdmin.status == .forbidden)
                let list = try await client.execute(uri: "/api/v1/users", method: .get, headers: .bearer(seeded.token))
                let emails = (list.json["data"] as? [[String: Any]])?.compactMap { $0["email"] as? String } ?? []
                #expect(Set(emails) == ["owner@acme.test", "m@acme.test", "a@acme.test", "new@acme.test"])
            }
        }
    }

    @Test("an email already in use answers 409, in any workspace", arguments: Backend.allCases)
    func duplicateEmail(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let response = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: .bearer(other.token),
                    body: .json(#"{"email": "OWNER@acme.test", "password": "long enough"}"#))
                #expect(response.status == .conflict)
                #expect(response.headers[.contentType] == "application/problem+json")
                _ = acme
            }
        }
    }

    @Test("one workspace cannot see or touch another's tokens or users", arguments: Backend.allCases)
    func workspaceIsolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let otherToken = try await app.services.tokens.list(
                workspaceID: other.workspace.id, userID: other.owner.id, limit: 10, after: nil
            ).items[0]
            try await app.test { client in
                let users = try await client.execute(uri: "/api/v1/users", method: .get, headers: .bearer(acme.token))
                #expect(!users.text.contains("other.test"))
                let tokens = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: .bearer(acme.token))
                #expect(!tokens.text.contains(otherToken.id))
                let delete = try await client.execute(
                    uri: "/api/v1/tokens/\(otherToken.id)", method: .delete, headers: .bearer(acme.token))
                #expect(delete.status == .notFound)
                #expect(
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(other.token)).status
                        == .ok)
            }
        }
    }

    @Test("the store never lists or revokes a token under another workspace's id", arguments: Backend.allCases)
    func tokenQueriesScopedByWorkspace(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let acme = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let tokens = app.services.tokens
            let acmeToken = try await tokens.list(
                workspaceID: acme.workspace.id, userID: acme.owner.id, limit: 10, after: nil
            ).items[0]
            // the right user id with the wrong workspace id finds nothing and changes nothing
            #expect(
                try await tokens.list(workspaceID: other.workspace.id, userID: acme.owner.id, limit: 10, after: nil)
                    .items.isEmpty)
            #expect(try await !tokens.revoke(workspaceID: other.workspace.id, userID: acme.owner.id, id: acmeToken.id))
            #expect(try await tokens.authenticate(secret: acme.token) != nil)
            #expect(try await app.services.accounts.user(workspaceID: other.workspace.id, id: acme.owner.id) == nil)
        }
    }

    @Test("two changes sent with the same If-Match: one wins, the other gets 412", arguments: Backend.allCases)
    func concurrentPatches(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                let etag = try #require(me.headers[.eTag])
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for name in ["First", "Second", "Third"] {
                        group.addTask {
                            try await client.execute(
                                uri: "/api/v1/me", method: .patch, headers: .bearer(seeded.token, [.ifMatch: etag]),
                                body: .json(#"{"name": "\#(name)"}"#)
                            ).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .ok }.count == 1)
                #expect(statuses.filter { $0 == .preconditionFailed }.count == 2)
            }
        }
    }

    @Test("text with NUL is a 422 naming the field on both databases", arguments: Backend.allCases)
    func nulCharacters(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let token = try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: .bearer(seeded.token),
                    body: .json(#"{"name": "a\u0000b"}"#))
                #expect(token.status == .unprocessableContent)
                let user = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: .bearer(seeded.token),
                    body: .json(#"{"email": "x@acme.test", "password": "long\u0000enough"}"#))
                #expect(user.status == .unprocessableContent)
                #expect(user.text.contains("password"))
            }
        }
    }

    @Test("creating a token is never replayed, so its secret is never stored", arguments: Backend.allCases)
    func tokenCreationNotIdempotent(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                var secrets: [String] = []
                for path in ["/api/v1/tokens", "/api/v1/tokens/", "/api/v1//tokens"] {
                    let response = try await client.execute(
                        uri: path, method: .post, headers: .bearer(seeded.token, [.idempotencyKey: "same"]),
                        body: .json(#"{"name": "ci"}"#))
                    if response.status == .created, let secret = response.json["token"] as? String {
                        secrets.append(secret)
                    }
                }
                #expect(secrets.count >= 1)
                #expect(Set(secrets).count == secrets.count)
                let stored = try await app.runtime.store.database.raw("SELECT body FROM idempotency_keys").all()
                let bodies = try stored.map { try $0.decode(column: "body", as: String.self) }
                #expect(!bodies.contains { body in secrets.contains { body.contains($0) } })
            }
        }
    }

    @Test(
        "a repeated Idempotency-Key replays the first answer; with another body it is refused",
        arguments: Backend.allCases)
    func idempotency(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let body = #"{"email": "once@acme.test", "password": "long enough"}"#
                let headers = HTTPFields.bearer(seeded.token, [.idempotencyKey: "create-once"])
                let first = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: headers, body: .json(body))
                let second = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: headers, body: .json(body))
                #expect(first.status == .created)
                #expect(second.status == .created)
                #expect(second.json["id"] as? String == first.json["id"] as? String)
                let different = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: headers,
                    body: .json(#"{"email": "twice@acme.test", "password": "long enough"}"#))
                #expect(different.status == .unprocessableContent)
                let page = try await app.services.accounts.users(
                    workspaceID: seeded.workspace.id, limit: 50, after: nil)
                #expect(page.items.map(\.email).sorted() == ["once@acme.test", "owner@acme.test"])
            }
        }
    }
}

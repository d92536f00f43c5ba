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

@Suite("Errors as problem+json")
struct ProblemTests {
    static func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status) {
        #expect(response.status == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(response.json["status"] as? Int == status.code)
        #expect(response.json["title"] is String)
        #expect(response.json["detail"] is String)
        #expect(response.headers[.xRequestID]?.isEmpty == false)
    }

    @Test("each failure has its status and a problem document", arguments: Backend.allCases)
    func statuses(_ backend: Backend) async throws {
        try await TestApp.with(backend, configure: { $0.jsonBodyLimit = 2048 }) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, memberToken) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                let auth = HTTPFields.bearer(seeded.token)
                Self.expectProblem(
                    try await client.execute(
                        uri: "/api/v1/users", method: .post, headers: auth, body: .json("{not json")), .badRequest)
                Self.expectProblem(try await client.execute(uri: "/api/v1/me", method: .get), .unauthorized)
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer("rap_wrong")),
                    .unauthorized)
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/users", method: .get, headers: .bearer(memberToken)),
                    .forbidden)
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/nothing-here", method: .get, headers: auth), .notFound)
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/tokens/not-an-id", method: .delete, headers: auth), .notFound
                )
                Self.expectProblem(
                    try await client.execute(
                        uri: "/api/v1/users", method: .post, headers: auth,
                        body: .json(#"{"email": "owner@acme.test", "password": "long enough"}"#)), .conflict)
                Self.expectProblem(
                    try await client.execute(
                        uri: "/api/v1/me", method: .patch, headers: .bearer(seeded.token, [.ifMatch: "\"nope\""]),
                        body: .json(#"{"name": "X"}"#)), .preconditionFailed)
                let big = #"{"name": ""# + String(repeating: "x", count: 4096) + #""}"#
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/tokens", method: .post, headers: auth, body: .json(big)),
                    .contentTooLarge)
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/users?limit=500", method: .get, headers: auth),
                    .unprocessableContent)
                Self.expectProblem(
                    try await client.execute(uri: "/api/v1/tokens?cursor=zzz", method: .get, headers: auth),
                    .unprocessableContent)
            }
        }
    }

    @Test("422 names each bad field, wrong types and unknown enum values included", arguments: Backend.allCases)
    func validation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let response = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: .bearer(seeded.token),
                    body: .json(#"{"email": 12, "role": "king", "password": "short", "language": "tlh"}"#))
                Self.expectProblem(response, .unprocessableContent)
                let fields = (response.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(Set(fields) == ["email", "role", "password", "language"])
                let users = try await app.services.accounts.users(
                    workspaceID: seeded.workspace.id, limit: 50, after: nil)
                #expect(users.items.count == 1)
            }
        }
    }

    @Test("the per-token rate limit answers 429 with Retry-After", arguments: Backend.allCases)
    func rateLimited(_ backend: Backend) async throws {
        try await TestApp.with(backend, configure: { $0.tokenRateLimit = 3 }) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // Three a minute: of ten quick requests, some are refused even if a minute boundary passes.
                var statuses: [HTTPResponse.Status] = []
                var limited: TestResponse?
                for _ in 0..<10 {
                    let response = try await client.execute(
                        uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                    statuses.append(response.status)
                    if response.status == .tooManyRequests { limited = response }
                }
                #expect(statuses.prefix(3).allSatisfy { $0 == .ok })
                let refused = try #require(limited)
                Self.expectProblem(refused, .tooManyRequests)
                #expect(Int(refused.headers[.retryAfter] ?? "") != nil)
            }
        }
    }

    @Test("an internal failure is a bare 500: no SQL, no stack, no secret")
    func internalError() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            await app.runtime.store.close()
            try await app.test { client in
                let response = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(seeded.token))
                Self.expectProblem(response, .internalServerError)
                #expect(response.json["detail"] as? String == "Internal error.")
                for leak in ["SELECT", "api_tokens", "sqlite", "DatabaseClosed", seeded.token] {
                    #expect(!response.text.contains(leak))
                }
            }
        }
    }

    @Test("every response carries X-Request-ID, and the request's log line carries the same id")
    func requestIDs() async throws {
        try await TestApp.with(.sqlite) { app in
            try await app.test { client in
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)
                #expect(health.text == #"{"status":"ok"}"#)
                let id = try #require(health.headers[.xRequestID])
                let line = app.logs.entries.first { $0.metadata["request.id"]?.description == id }
                #expect(line?.message.description.contains("GET /healthz 200") == true)
                let supplied = try await client.execute(
                    uri: "/healthz", method: .get, headers: [.xRequestID: "trace-42"])
                #expect(supplied.headers[.xRequestID] == "trace-42")
                let spec = try await client.execute(uri: "/openapi.yaml", method: .get)
                #expect(spec.text.contains("openapi: 3.1"))
            }
        }
    }
}

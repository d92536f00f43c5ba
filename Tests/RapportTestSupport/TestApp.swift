import Foundation
package import HTTPTypes
import Hummingbird
package import HummingbirdTesting
package import InMemoryLogging
import Logging
package import NIOCore
import NIOFoundationCompat
package import RapportCore
package import RapportDatabase
import RapportHTTP
package import RapportServer
package import RapportServices
import RapportStore

/// A Rapport application on a fresh database, driven in process through HummingbirdTesting's router client.
package struct TestApp: Sendable {
    package let runtime: Runtime
    package let logs: InMemoryLogHandler
    package var services: Services { runtime.services }

    package init(runtime: Runtime, logs: InMemoryLogHandler) {
        self.runtime = runtime
        self.logs = logs
    }

    /// The configuration tests use: cheap bcrypt and a fixed secret.
    package static func config(_ url: DatabaseURL, logs: InMemoryLogHandler) -> AppConfig {
        var config = AppConfig(database: url, logger: Logger(label: "rapport.test") { _ in logs })
        config.bcryptCost = 4
        config.secretKey = "test-secret"
        return config
    }

    /// Runs `body` with an app on a fresh database of `backend`; `configure` adjusts settings first.
    package static func with<R: Sendable>(
        _ backend: Backend, configure: (inout AppConfig) -> Void = { _ in }, _ body: (TestApp) async throws -> R
    ) async throws -> R {
        let (url, drop) = try await TestDB.create(backend)
        let logs = InMemoryLogHandler()
        var config = config(url, logs: logs)
        configure(&config)
        let runtime: Runtime
        do {
            runtime = try await Runtime.start(config)
        } catch {
            await drop()
            throw error
        }
        do {
            let result = try await body(TestApp(runtime: runtime, logs: logs))
            await runtime.close()
            await drop()
            return result
        } catch {
            await runtime.close()
            await drop()
            throw error
        }
    }

    /// Runs requests against the real router.
    package func test<R: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> R) async throws -> R {
        let router = try await buildRouter(runtime)
        let app = Application(router: router, logger: runtime.config.logger)
        return try await app.test(.router, body)
    }
}

/// A workspace with an owner and an API token, built through the real account code.
package struct Seeded: Sendable {
    package var workspace: Workspace
    package var owner: User
    package var token: String
    package var password: String
}

/// Fixture builders.
package enum Fixtures {
    package static let password = "correct horse"

    /// A workspace named `name` with owner `email` and a token for that owner.
    package static func workspace(_ app: TestApp, name: String = "Acme", email: String = "owner@acme.test") async throws
        -> Seeded
    {
        let (workspace, owner) = try await AccountService(app.services).createWorkspace(
            name: name, owner: UserDraft(email: email, name: "Owner of \(name)", role: nil, password: password))
        let token = try await app.services.tokens.create(workspaceID: workspace.id, userID: owner.id, name: "test")
            .secret
        return Seeded(workspace: workspace, owner: owner, token: token, password: password)
    }

    /// A user of `role` in a seeded workspace, with a token.
    package static func user(
        _ app: TestApp, in seeded: Seeded, email: String, role: Role, language: Language = .en
    ) async throws -> (user: User, token: String) {
        let user = try await AccountService(app.services).createUser(
            workspaceID: seeded.workspace.id,
            draft: UserDraft(
                email: email, name: email, role: role.rawValue, password: password, language: language.rawValue),
            actor: nil)
        let token = try await app.services.tokens.create(
            workspaceID: seeded.workspace.id, userID: user.id, name: "test"
        ).secret
        return (user, token)
    }
}

extension HTTPFields {
    /// `Authorization: Bearer` plus any extra fields.
    package static func bearer(_ token: String, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[.authorization] = "Bearer \(token)"
        return fields
    }
}

extension TestResponse {
    /// The body decoded as a JSON object.
    package var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    package var text: String { String(buffer: body) }
}

extension ByteBuffer {
    /// A JSON body from a literal string.
    package static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

/// Log capture for tests that build runtimes by hand.
package enum InMemoryLogs {
    package static func handler() -> InMemoryLogHandler { InMemoryLogHandler() }
}

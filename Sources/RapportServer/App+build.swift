import Foundation
package import Hummingbird
import Logging
import RapportAPI
import RapportCore
package import RapportHTTP
package import RapportServices
package import RapportStore
import RapportWeb

/// An open store with the services over it; the CLI commands and the server share this.
package struct Runtime: Sendable {
    package let store: Store
    package let services: Services
    package let config: AppConfig

    /// Opens and migrates the database, and resolves the secret key (stored in the database when not configured).
    package static func start(_ config: AppConfig) async throws -> Runtime {
        let store = try await Store.open(config.database, logger: config.logger)
        do {
            try await store.migrate()
            let secret: String
            if let configured = config.secretKey {
                secret = configured
            } else {
                secret = try await SettingsRepository(store: store).value("secret_key") { Self.randomSecret() }
            }
            var settings = ServiceSettings(secretKey: secret)
            settings.secureCookies = config.secureCookies
            settings.jsonBodyLimit = config.jsonBodyLimit
            settings.bcryptCost = config.bcryptCost
            settings.loginFailuresPerEmail = config.loginFailuresPerEmail
            settings.loginFailuresPerAddress = config.loginFailuresPerAddress
            settings.loginThrottleWindow = config.loginThrottleWindow
            settings.tokenRateLimit = config.tokenRateLimit
            settings.trackingRateLimit = config.trackingRateLimit
            settings.publicURL = config.publicURL
            settings.inviteLifetime = config.inviteLifetime
            settings.emailSendingTimeout = config.emailSendingTimeout
            settings.emailMaxAttempts = config.emailMaxAttempts
            settings.emailRetryBase = config.emailRetryBase
            settings.emailConnections = config.emailConnections
            return Runtime(store: store, services: Services(store: store, settings: settings), config: config)
        } catch {
            await store.close()
            throw error
        }
    }

    package func close() async {
        await services.smtpPools.closeAll()
        await store.close()
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// The composition root: one router for the API and the web UI.
package func buildRouter(_ runtime: Runtime) async throws -> Router<AppContext> {
    let services = runtime.services
    let web = try await WebRoutes.load(services)
    let router = Router(context: AppContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware(html: web.errorPage))
    router.add(middleware: InputGuardMiddleware())
    HealthController().register(on: router)
    let api = router.group("api/v1").add(middleware: TokenAuthMiddleware(services))
    let idempotent = api.group().add(middleware: IdempotencyMiddleware(services))
    AccountsController(services).register(on: api, idempotent: idempotent)
    InvitesController(services).register(on: api, idempotent: idempotent)
    TeamsController(services).register(on: api, idempotent: idempotent)
    RolesController(services).register(on: api, idempotent: idempotent)
    NotificationsController(services).register(on: api, idempotent: idempotent)
    for type in ObjectCatalog.all {
        RecordsController(services, schema: type).register(on: api, idempotent: idempotent)
        DuplicatesController(services, schema: type).register(on: api, idempotent: idempotent)
    }
    PipelinesController(services).register(on: api, idempotent: idempotent)
    EmailSettingsController(services).register(on: api, idempotent: idempotent)
    InboundMailController(services).register(on: api, idempotent: idempotent)
    TemplatesController(services).register(on: api, idempotent: idempotent)
    EmailTopicsController(services).register(on: api, idempotent: idempotent)
    EmailsController(services).register(on: api, idempotent: idempotent)
    FrequencyController(services).register(on: api, idempotent: idempotent)
    WorkspaceSettingsController(services).register(on: api, idempotent: idempotent)
    SegmentsController(services).register(on: api, idempotent: idempotent)
    CampaignsController(services).register(on: api, idempotent: idempotent)
    ConsentController(services).register(on: api, idempotent: idempotent)
    DealsController(services).register(on: api, idempotent: idempotent)
    ForecastController(services).register(on: api)
    PurchasesController(services).register(on: api)
    CustomFieldsController(services).register(on: api, idempotent: idempotent)
    SearchController(services).register(on: api)
    ExportController(services).register(on: api)
    ImportController(services).register(on: api)
    web.register(on: router, logger: runtime.config.logger)
    return router
}

/// The HTTP application for a runtime; `onServerRunning` receives the bound port (useful with port 0).
package func buildApplication(
    _ runtime: Runtime, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let router = try await buildRouter(runtime)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(runtime.config.host, port: runtime.config.port), serverName: "Rapport"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: runtime.config.logger)
    let queue = JobQueue(store: runtime.store)
    var jobs = JobRunner.Configuration()
    jobs.lease = runtime.config.jobLease
    app.addServices(
        JobRunner(
            queue: queue, registry: buildJobRegistry(runtime), configuration: jobs, logger: runtime.config.logger))
    return app
}

/// The job handlers of this installation, by kind: what the job runner can run.
package func buildJobRegistry(_ runtime: Runtime) -> JobRegistry {
    JobRegistry(
        [
            .maintenance(runtime.services, queue: JobQueue(store: runtime.store)), .noop,
            TaskReminders.handler(runtime.services), EmailDelivery.handler(runtime.services),
            EmailDelivery.sweeper(runtime.services),
        ] + CampaignSender.handlers(runtime.services))
}

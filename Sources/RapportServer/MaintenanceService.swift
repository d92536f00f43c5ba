import Logging
import RapportHTTP
import RapportServices
import RapportStore
import ServiceLifecycle

/// Hourly housekeeping: drops expired sessions and old login failures.
struct MaintenanceService: Service {
    let services: Services
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await services.sessions.purgeExpired()
                try await services.throttle.purge(olderThan: services.settings.loginThrottleWindow)
            } catch {
                logger.warning("housekeeping failed", metadata: ["error": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

import Foundation
import HummingbirdBcrypt
import Logging
import RapportCore
package import RapportStore
import Synchronization

/// Everything a route needs, built once in the composition root.
package struct Services: Sendable {
    package let store: Store
    package let settings: ServiceSettings
    package let accounts: AccountRepository
    package let tokens: TokenRepository
    package let invites: InviteRepository
    package let sessions: SessionRepository
    package let throttle: LoginThrottleRepository
    package let idempotency: IdempotencyRepository
    package let rateLimiter: RateLimiter
    /// Opens and clicks recorded per client address (`trackingRateLimit`).
    package let trackingLimiter: RateLimiter
    /// Checked against when a sign-in names no user, at the configured cost, so both take as long.
    /// Made on first use: commands that sign nobody in (an import) skip its quarter second.
    package var unknownUserHash: String { unknownHash.value }
    let unknownHash: UnknownUserHash
    /// The SMTP sessions email delivery keeps open between runs, per workspace.
    package let smtpPools: SMTPPools

    package init(store: Store, settings: ServiceSettings) {
        self.store = store
        self.settings = settings
        self.accounts = AccountRepository(store: store)
        self.tokens = TokenRepository(store: store)
        self.invites = InviteRepository(store: store)
        self.sessions = SessionRepository(store: store)
        self.throttle = LoginThrottleRepository(store: store)
        self.idempotency = IdempotencyRepository(store: store)
        self.rateLimiter = RateLimiter(perMinute: settings.tokenRateLimit)
        self.trackingLimiter = RateLimiter(perMinute: settings.trackingRateLimit)
        self.unknownHash = UnknownUserHash(cost: settings.bcryptCost)
        self.smtpPools = SMTPPools()
    }
}

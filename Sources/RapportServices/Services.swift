import Foundation
import HummingbirdBcrypt
import Logging
import RapportCore
package import RapportStore
import Synchronization

/// Settings that shape HTTP behaviour, built by the CLI from flags and `RAPPORT_*` variables, or by tests.
package struct HTTPSettings: Sendable {
    /// Signs CSRF tokens; generated and stored in the database when not given.
    package var secretKey: String
    package var secureCookies: Bool = false
    /// JSON request bodies above this answer 413.
    package var jsonBodyLimit: Int = 1 << 20
    package var bcryptCost: UInt8 = 12
    package var loginFailuresPerEmail: Int = 5
    package var loginFailuresPerAddress: Int = 50
    package var loginThrottleWindow: Duration = .seconds(15 * 60)
    /// Requests per minute per API token; nil means no limit.
    package var tokenRateLimit: Int? = nil

    package init(secretKey: String) {
        self.secretKey = secretKey
    }
}

/// Everything a route needs, built once in the composition root.
package struct Services: Sendable {
    package let store: Store
    package let settings: HTTPSettings
    package let accounts: AccountRepository
    package let tokens: TokenRepository
    package let sessions: SessionRepository
    package let throttle: LoginThrottleRepository
    package let idempotency: IdempotencyRepository
    package let rateLimiter: RateLimiter
    /// Checked against when a sign-in names no user, at the configured cost, so both take as long.
    /// Made on first use: commands that sign nobody in (an import) skip its quarter second.
    package var unknownUserHash: String { unknownHash.value }
    let unknownHash: UnknownUserHash

    package init(store: Store, settings: HTTPSettings) {
        self.store = store
        self.settings = settings
        self.accounts = AccountRepository(store: store)
        self.tokens = TokenRepository(store: store)
        self.sessions = SessionRepository(store: store)
        self.throttle = LoginThrottleRepository(store: store)
        self.idempotency = IdempotencyRepository(store: store)
        self.rateLimiter = RateLimiter(perMinute: settings.tokenRateLimit)
        self.unknownHash = UnknownUserHash(cost: settings.bcryptCost)
    }
}

/// A bcrypt hash of a random password, made once when first asked for.
final class UnknownUserHash: Sendable {
    let cost: UInt8
    let cached = Mutex<String?>(nil)

    init(cost: UInt8) {
        self.cost = cost
    }

    var value: String {
        cached.withLock { cached in
            if let cached { return cached }
            let hash = Bcrypt.hash(RecordID.make(), cost: cost)
            cached = hash
            return hash
        }
    }
}

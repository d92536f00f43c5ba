import Foundation
import HummingbirdBcrypt
import Logging
import RapportCore
import RapportStore
import Synchronization

/// Settings that shape HTTP behaviour, built by the CLI from flags and `RAPPORT_*` variables, or by tests.
package struct ServiceSettings: Sendable {
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
    /// Tracking hits (opens and clicks) recorded per minute per client address; past it they are answered as
    /// usual (the pixel, the redirect) but not recorded. nil means no limit.
    package var trackingRateLimit: Int? = 600
    /// How long an invitation link works after it is made (or made anew).
    package var inviteLifetime: Duration = .seconds(7 * 86_400)
    /// The address people reach this server at (`https://crm.example.com`, no trailing slash), for links
    /// that leave the browser: invitations. Nil means the address of the request that asks for the link.
    package var publicURL: String? = nil
    /// A message left in `sending` this long (its worker died) is taken up again by another worker.
    package var emailSendingTimeout: Duration = .seconds(600)
    /// Attempts at one message before it stops as `failed`.
    package var emailMaxAttempts: Int = 8
    /// The wait after a message's first deferral; it doubles with each attempt up to `emailRetryCap`.
    package var emailRetryBase: Duration = .seconds(60)
    package var emailRetryCap: Duration = .seconds(3600)
    /// SMTP sessions a workspace's delivery keeps open to its server at once.
    package var emailConnections = 4

    package init(secretKey: String) {
        self.secretKey = secretKey
    }
}

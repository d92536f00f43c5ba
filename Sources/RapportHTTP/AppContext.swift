import Foundation
package import Hummingbird
package import HummingbirdAuth
import Logging
import NIOCore
package import RapportCore
import RapportServices

/// The request context of every route, API and web alike.
package struct AppContext: RequestContext, SessionRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let sessions: SessionContext<WebSession>
    /// Set by the token or session authenticator.
    package var principal: Principal?
    /// The client's address, for login throttling; nil when unknown (in-process tests).
    package let remoteAddress: String?
    /// The CSRF token for forms on this request, set by the CSRF middleware.
    package var csrfToken: String = ""
    /// The request id echoed in `X-Request-ID`.
    package var requestID: String = ""
    /// How many of the signed-in user's notifications are unread, for the bell of a web page; set with
    /// the principal by the web's sign-in check.
    package var unreadNotifications: Int?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.sessions = .init()
        self.principal = nil
        switch source.channel.remoteAddress {
        case .some(let address): self.remoteAddress = address.ipAddress
        case .none: self.remoteAddress = nil
        }
    }

    /// The signed-in principal.
    /// - Throws: `unauthorized` when nobody is signed in.
    package func requirePrincipal() throws -> Principal {
        guard let principal else { throw RapportError(.unauthorized, "Authentication is required.") }
        return principal
    }
}

import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import RapportCore
import RapportHTTP
import RapportServices

/// Cookie names: with secure cookies they carry the `__Host-` prefix, so that browsers only accept
/// them from this host over HTTPS with `Path=/` (a sibling subdomain cannot plant them).
struct WebCookies {
    let session: String
    let csrf: String
    let flash: String
    let secure: Bool

    init(secure: Bool) {
        let prefix = secure ? "__Host-" : ""
        session = prefix + "rapport_session"
        csrf = prefix + "rapport_csrf"
        flash = prefix + "rapport_flash"
        self.secure = secure
    }
}

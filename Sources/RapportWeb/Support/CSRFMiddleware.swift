import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// CSRF protection for every web form: a random HttpOnly cookie, and in each form a `csrf_token` that
/// is the HMAC, under the server's secret, of that cookie and the session cookie. A token is therefore
/// only good for one browser's session: planting a CSRF cookie is not enough to forge one, and signing
/// in or out (a new session id) invalidates the old tokens. A POST without a matching token answers 403
/// before its handler runs, so nothing changes.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let cookieName: String
    let sessionCookieName: String
    let key: SymmetricKey
    let secureCookies: Bool

    init(secret: String, secureCookies: Bool, cookies: WebCookies) {
        self.key = SymmetricKey(data: SHA256.hash(data: Data("csrf:\(secret)".utf8)))
        self.secureCookies = secureCookies
        self.cookieName = cookies.csrf
        self.sessionCookieName = cookies.session
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let existing = request.cookies[cookieName].map(\.value).flatMap { Self.isWellFormed($0) ? $0 : nil }
        let seed = existing ?? Self.newSeed()
        let session = request.cookies[sessionCookieName]?.value ?? ""
        context.csrfToken = token(for: seed, session: session)
        if request.method != .get && request.method != .head {
            guard let existing else {
                throw RapportError(.forbidden, "The form has expired; reload the page and try again.")
            }
            var request = request
            // A file upload carries its token in a form field before the file, read ahead of the body
            // that then streams to disk (never in the address, where logs and history would keep it).
            let isUpload = request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") ?? false
            let sent: String? =
                isUpload
                ? await Upload.field("csrf_token", of: &request)
                : try await Form.read(&request)["csrf_token"]
            guard let sent, Self.constantTimeEqual(sent, token(for: existing, session: session)) else {
                throw RapportError(.forbidden, "The form has expired; reload the page and try again.")
            }
            return try await respond(next(request, context), setting: nil)
        }
        return try await respond(next(request, context), setting: existing == nil ? seed : nil)
    }

    private func respond(_ response: Response, setting seed: String?) -> Response {
        guard let seed else { return response }
        var response = response
        response.setCookie(
            Cookie(name: cookieName, value: seed, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax)
        )
        return response
    }

    func token(for seed: String, session: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data("\(seed)|\(session)".utf8), using: key))
    }

    static func newSeed() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func isWellFormed(_ seed: String) -> Bool {
        seed.count == 64 && seed.allSatisfy(\.isHexDigit)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

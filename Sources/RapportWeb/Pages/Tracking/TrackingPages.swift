import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices

/// `/t/o/{token}` and `/t/c/{token}`: a marketing message's open pixel and click redirects (no sign-in; the
/// signed token is the authority). The pixel answers a 1×1 transparent GIF that is never cached; a click
/// answers 302 to the address that was signed, and only to it. A token whose signature does not hold answers
/// 400 and records nothing. `HEAD` (link checkers) answers the same without recording anything, as does a hit
/// from an address past the tracking rate limit.
struct TrackingPages: Sendable {
    let services: Services

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.trackOpen(":token")), use: open)
        group.head(RouterPath(WebPath.trackOpen(":token")), use: openHead)
        group.get(RouterPath(WebPath.trackClick(":token")), use: click)
        group.head(RouterPath(WebPath.trackClick(":token")), use: clickHead)
    }

    static let invalid = RapportError(.badRequest, "This link is not valid: it was changed or cut short.")

    /// A transparent 1×1 GIF (43 bytes).
    static let pixel: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
        0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    static let noStore = "no-store, no-cache, must-revalidate, private, max-age=0"

    @Sendable func open(_ request: Request, context: AppContext) async throws -> Response {
        guard !overLimit(context) else { return try openHead(request, context: context, body: true) }
        let token = try context.parameters.require("token")
        guard
            try await EmailTracking(services).open(token: token, userAgent: request.headers[.userAgent])
        else { throw Self.invalid }
        return Self.image(body: true)
    }

    /// Whether the client's address has had more hits this minute than are recorded (`RAPPORT_TRACKING_RATE_LIMIT`):
    /// a flood of requests is still answered, so a reader's image or link works, but writes nothing.
    func overLimit(_ context: AppContext) -> Bool {
        services.trackingLimiter.hit("tracking:" + (context.remoteAddress ?? "unknown")) != nil
    }

    @Sendable func openHead(_ request: Request, context: AppContext) async throws -> Response {
        try openHead(request, context: context, body: false)
    }

    /// The pixel for a token whose signature holds, recording nothing.
    func openHead(_ request: Request, context: AppContext, body: Bool) throws -> Response {
        guard TrackingToken.read(try context.parameters.require("token"), kind: .open, secret: secret) != nil else {
            throw Self.invalid
        }
        return Self.image(body: body)
    }

    static func image(body: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "image/gif", .cacheControl: noStore]
        headers[HTTPField.Name("Pragma")!] = "no-cache"
        if !body { headers[.contentLength] = "\(pixel.count)" }
        return Response(
            status: .ok, headers: headers, body: body ? .init(byteBuffer: ByteBuffer(bytes: pixel)) : .init())
    }

    @Sendable func click(_ request: Request, context: AppContext) async throws -> Response {
        guard !overLimit(context) else { return try await clickHead(request, context: context) }
        let token = try context.parameters.require("token")
        guard
            let url = try await EmailTracking(services).click(token: token, userAgent: request.headers[.userAgent])
        else { throw Self.invalid }
        return Self.redirect(url)
    }

    @Sendable func clickHead(_ request: Request, context: AppContext) async throws -> Response {
        guard
            let url = TrackingToken.read(try context.parameters.require("token"), kind: .click, secret: secret)?.url
        else { throw Self.invalid }
        return Self.redirect(url)
    }

    var secret: String { services.settings.secretKey }

    static func redirect(_ url: String) -> Response {
        var headers: HTTPFields = [.location: asciiLocation(url), .cacheControl: noStore]
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .found, headers: headers)
    }

    /// An address as a `Location` header carries it: characters beyond ASCII percent-encoded as UTF-8, the
    /// rest as signed.
    static func asciiLocation(_ url: String) -> String {
        var out = ""
        for scalar in url.unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 { out += String(format: "%%%02X", byte) }
            }
        }
        return out
    }
}

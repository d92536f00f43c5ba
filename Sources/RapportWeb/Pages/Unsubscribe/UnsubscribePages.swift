import Foundation
import Hummingbird
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices

/// `/u/{token}`: the unsubscribe link of marketing mail, with no sign-in and in the contact's language (else
/// the browser's). GET asks to confirm (a link followed by a mail scanner changes nothing); POST, from that
/// button or a mailbox provider's one-click (RFC 8058: a body of `List-Unsubscribe=One-Click`), unsubscribes:
/// the address is suppressed, the contact's consent withdrawn, the message's unsubscribe recorded. The page then
/// leads to the preference centre. A token whose signature does not hold answers 400 and changes nothing.
struct UnsubscribePages: Sendable {
    let services: Services
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.unsubscribe(":token")), use: confirm)
        group.post(RouterPath(WebPath.unsubscribe(":token")), use: unsubscribe)
    }

    static let invalid = RapportError(.badRequest, "This unsubscribe link is not valid: it was changed or cut short.")

    @Sendable func confirm(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let target = try await EmailTracking(services).unsubscribeTarget(token: token) else {
            throw Self.invalid
        }
        return render(target, token: token, done: false, request: request, context: context)
    }

    @Sendable func unsubscribe(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        // (a provider's one-click posts `List-Unsubscribe=One-Click`, form-encoded or as multipart/form-data)
        var request = request
        let body: String
        do {
            body = String(buffer: try await request.collectBody(upTo: Form.limit))
        } catch {
            throw RapportError(.tooLarge, "The form is too large.")
        }
        let way: EmailTracking.UnsubscribeWay = body.contains("One-Click") ? .oneClick : .link
        guard
            let target = try await EmailTracking(services).unsubscribe(
                token: token, way: way, userAgent: request.headers[.userAgent])
        else { throw Self.invalid }
        return render(target, token: token, done: true, request: request, context: context)
    }

    func render(
        _ target: EmailTracking.UnsubscribeTarget, token: String, done: Bool, request: Request, context: AppContext
    ) -> Response {
        pages.render(
            UnsubscribeView(
                address: target.address, action: WebPath.unsubscribe(token), done: done,
                preferences: target.preferencesToken.map(WebPath.preferences)),
            request: request, context: context, title: "unsubscribe", language: target.language)
    }
}

/// The unsubscribe confirmation, and its result.
struct UnsubscribeView: PageContent {
    static let template = "unsubscribe"

    let address: String
    let action: String
    let done: Bool
    /// The contact's preference centre; nil when the link names no contact.
    let preferences: String?
}

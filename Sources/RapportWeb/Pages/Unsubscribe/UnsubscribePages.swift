import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// `/u/{token}`: the unsubscribe link of marketing mail. GET asks to confirm (a link followed by a mail
/// scanner changes nothing); POST, from that button or a mailbox provider's one-click (RFC 8058), records the
/// unsubscribe in the workspace's suppressions. A token whose signature does not hold answers 404.
struct UnsubscribePages: Sendable {
    let services: Services
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.unsubscribe(":token")), use: confirm)
        group.post(RouterPath(WebPath.unsubscribe(":token")), use: unsubscribe)
    }

    @Sendable func confirm(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let address = EmailService(services).unsubscribeAddress(token: token) else {
            throw RapportError.notFound("The unsubscribe link")
        }
        return pages.render(
            UnsubscribeView(address: address, action: WebPath.unsubscribe(token), done: false), request: request,
            context: context, title: "unsubscribe")
    }

    @Sendable func unsubscribe(_ request: Request, context: AppContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let address = try await EmailService(services).unsubscribe(token: token) else {
            throw RapportError.notFound("The unsubscribe link")
        }
        return pages.render(
            UnsubscribeView(address: address, action: WebPath.unsubscribe(token), done: true), request: request,
            context: context, title: "unsubscribe")
    }
}

/// The unsubscribe confirmation, and its result.
struct UnsubscribeView: PageContent {
    static let template = "unsubscribe"

    let address: String
    let action: String
    let done: Bool
}

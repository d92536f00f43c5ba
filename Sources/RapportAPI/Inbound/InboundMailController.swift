import Foundation
package import Hummingbird
import NIOCore
import RapportCore
package import RapportHTTP
package import RapportServices

/// `POST /api/v1/email/inbound`: a message that came back to the workspace's sender address, as its raw RFC 5322
/// bytes (`Content-Type: message/rfc822`), handed over by the mail server (owners and admins; docs/email.md):
/// a delivery status notification marks the message it reports as bounced, an unsubscribe request sent to the
/// List-Unsubscribe address unsubscribes. The answer says which, or why the message was ignored.
package struct InboundMailController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        idempotent.post("email/inbound", use: receive)
    }

    struct Answer: Encodable {
        let outcome: String
        @Nullable var reason: String?
        @Nullable var outboxID: String?
        @Nullable var address: String?
        @Nullable var status: String?

        enum CodingKeys: String, CodingKey {
            case outcome, reason, address, status
            case outboxID = "outbox_id"
        }
    }

    @Sendable func receive(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: InboundMailService.maximumBytes)
        } catch {
            throw RapportError(.tooLarge, "The message is larger than \(InboundMailService.maximumBytes >> 20) MB.")
        }
        let outcome = try await InboundMailService(services).receive(
            principal, raw: Array(buffer.readableBytesView))
        let answer: Answer
        switch outcome {
        case .bounced(let outboxID, let address, let status):
            answer = Answer(outcome: "bounced", reason: nil, outboxID: outboxID, address: address, status: status)
        case .unsubscribed(let address, let outboxID):
            answer = Answer(outcome: "unsubscribed", reason: nil, outboxID: outboxID, address: address, status: nil)
        case .ignored(let reason):
            answer = Answer(outcome: "ignored", reason: reason, outboxID: nil, address: nil, status: nil)
        }
        return try JSONCoding.response(answer)
    }
}

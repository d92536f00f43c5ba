import Foundation
package import RapportCore
import RapportMail
import RapportStore

/// Mail that comes back to a workspace's sender address, handed to Rapport by the mail server (docs/email.md,
/// "Mail that comes back"): a delivery status notification that reports a permanent failure of a message the
/// server had accepted (a bounce that arrives after the send), and an unsubscribe request sent to the
/// List-Unsubscribe `mailto:` address, whose subject carries the message's signed unsubscribe token. Anything
/// else is answered as ignored, with the reason, and changes nothing.
package struct InboundMailService: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// What a received message did.
    package enum Outcome: Sendable, Equatable {
        /// A sent message of the workspace marked bounced: its row, and the address now suppressed.
        case bounced(outboxID: String, address: String, status: String)
        /// The address unsubscribed (the message's contact, when it has one, withdrew email consent).
        case unsubscribed(address: String, outboxID: String?)
        /// Nothing changed, and why.
        case ignored(String)
    }

    /// The subject's first word in a List-Unsubscribe `mailto:` (the token follows it).
    package static let unsubscribeSubject = "unsubscribe"
    /// The largest message read.
    package static let maximumBytes = InboundMail.maximumBytes

    /// Reads and acts on one received message (its RFC 5322 bytes) for the principal's workspace.
    /// - Throws: `forbidden` for a role that may not manage email; `invalid` for bytes that are not a message.
    package func receive(_ principal: Principal, raw: [UInt8], now: Int64 = Timestamp.micros(Date())) async throws
        -> Outcome
    {
        try Access(principal).require(.manageEmail)
        let mail: InboundMail
        do {
            mail = try InboundMail(parsing: raw)
        } catch {
            throw RapportError(.invalid, "The message cannot be read: \(error).")
        }
        let workspaceID = principal.workspace.id
        if let report = mail.deliveryReport {
            return try await bounce(report, workspaceID: workspaceID, now: now)
        }
        if let token = Self.unsubscribeToken(subject: mail.subject) {
            return try await unsubscribe(token: token, workspaceID: workspaceID, now: now)
        }
        return .ignored("The message is neither a delivery status notification nor an unsubscribe request.")
    }

    // MARK: Bounces

    func bounce(_ report: DeliveryReport, workspaceID: String, now: Int64) async throws -> Outcome {
        guard let failure = report.recipients.first(where: \.isPermanentFailure) else {
            let actions = report.recipients.map { "\($0.action) \($0.status)" }.joined(separator: ", ")
            return .ignored(
                "The report says no permanent failure (\(actions.isEmpty ? "no recipients" : actions)).")
        }
        let outboxID = report.originalHeader("X-Rapport-Message")?.trimmingCharacters(in: .whitespaces)
        let messageID = report.originalHeader("Message-ID").map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t<>"))
        }
        guard outboxID != nil || messageID != nil else {
            return .ignored("The report does not return the message's headers (no X-Rapport-Message or Message-ID).")
        }
        let reply = [failure.status, failure.diagnostic].compactMap { $0 }.joined(separator: " ")
        let services = self.services
        return try await services.store.writeRows { session in
            let outbox = OutboxRepository(store: services.store)
            var message: OutboxMessage?
            if let outboxID { message = try await outbox.find(workspaceID: workspaceID, id: outboxID, on: session) }
            if message == nil, let messageID {
                message = try await outbox.find(workspaceID: workspaceID, messageID: messageID, on: session)
            }
            guard let message else { return .ignored("No message of this workspace matches the report.") }
            if let recipient = failure.finalRecipient, recipient != message.toAddress.lowercased() {
                return .ignored("The report is about \(recipient), not the message's recipient.")
            }
            guard try await outbox.bounceLater(workspaceID: workspaceID, id: message.id, reply: reply, on: session)
            else {
                return .ignored("The message is \(message.state.rawValue), not sent; nothing changed.")
            }
            try await EmailDelivery.record(services, message, .bounced, reply: reply, now: now, on: session)
            return .bounced(outboxID: message.id, address: message.toAddress, status: failure.status)
        }
    }

    // MARK: Unsubscribe requests

    /// The token in a subject `unsubscribe TOKEN` (any case; `Re:` and the like before it are allowed).
    static func unsubscribeToken(subject: String?) -> String? {
        guard let subject else { return nil }
        let words = subject.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let index = words.firstIndex(where: { $0.lowercased() == unsubscribeSubject }),
            index + 1 < words.count
        else { return nil }
        return words[index + 1]
    }

    func unsubscribe(token: String, workspaceID: String, now: Int64) async throws -> Outcome {
        let tracking = EmailTracking(services)
        guard let target = try await tracking.unsubscribeTarget(token: token), target.workspaceID == workspaceID
        else { return .ignored("The unsubscribe request's token is not one of this workspace's.") }
        _ = try await tracking.unsubscribe(token: token, way: .mail, userAgent: nil, now: now)
        return .unsubscribed(address: target.address, outboxID: target.outboxID)
    }
}

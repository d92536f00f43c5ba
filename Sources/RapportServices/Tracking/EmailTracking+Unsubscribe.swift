import Foundation
package import RapportCore
import RapportStore
import SQLKit

extension EmailTracking {
    /// Who an unsubscribe link is for.
    package struct UnsubscribeTarget: Sendable, Equatable {
        package var workspaceID: String
        package var address: String
        /// The message the link came in (links made before messages had their own name none).
        package var outboxID: String?
        package var contactID: String?
        /// The contact's language, when Rapport has pages in it.
        package var language: Language?
        /// The token of the contact's preference centre.
        package var preferencesToken: String?
    }

    /// How an unsubscribe was asked for: the confirm button of the page, or a mailbox provider's one-click POST
    /// (RFC 8058). The consent history says which.
    package enum UnsubscribeWay: String, Sendable {
        case link = "unsubscribe_link"
        case oneClick = "one_click"
        /// A message to the List-Unsubscribe `mailto:` address (`InboundMailService`).
        case mail = "unsubscribe_mail"
    }

    /// Who a link is for, without changing anything (the page that asks to confirm). A link names its message
    /// (`/u/` tokens made at send time) or, made before that, only the workspace and address.
    /// - Returns: nil for a token whose signature does not hold, or whose message is gone.
    package func unsubscribeTarget(token: String) async throws -> UnsubscribeTarget? {
        if let claims = TrackingToken.read(token, kind: .unsubscribe, secret: secret) {
            guard
                let message = try await OutboxRepository(store: services.store).find(
                    workspaceID: claims.workspaceID, id: claims.id)
            else { return nil }
            return try await target(
                workspaceID: message.workspaceID, address: message.toAddress, outboxID: message.id,
                contactID: message.contactID)
        }
        guard let (workspaceID, address) = UnsubscribeToken.read(token, secret: secret) else { return nil }
        let contact = try await RecordService(services, schema: .contacts).find(
            key: address, viewer: .system(workspaceID))
        return try await target(workspaceID: workspaceID, address: address, outboxID: nil, contactID: contact?.id)
    }

    func target(workspaceID: String, address: String, outboxID: String?, contactID: String?) async throws
        -> UnsubscribeTarget
    {
        var language: Language?
        var contactID = contactID
        if let id = contactID {
            let contact = try? await RecordService(services, schema: .contacts).get(.system(workspaceID), id: id)
            language = contact.flatMap { Self.language(of: $0) }
            if contact == nil { contactID = nil }
        }
        return UnsubscribeTarget(
            workspaceID: workspaceID, address: address, outboxID: outboxID, contactID: contactID, language: language,
            preferencesToken: contactID.flatMap { preferencesToken(workspaceID: workspaceID, contactID: $0) })
    }

    /// The interface language a contact reads (their `language` field's primary tag), when Rapport has it.
    static func language(of contact: Record) -> Language? {
        guard let tag = contact.string("language")?.lowercased() else { return nil }
        return Language(rawValue: String(tag.split(separator: "-").first ?? ""))
    }

    /// Unsubscribes whoever a link is for, in one transaction: the address is suppressed (`unsubscribed`), the
    /// contact's email consent withdrawn (source `unsubscribe_link`, `one_click` or `unsubscribe_mail`), and, for a link that names
    /// its message, the message's `unsubscribed_at` set and an `email_unsubscribed` event written. Doing it again
    /// changes nothing more (the second is recorded as a hit, not counted).
    /// - Returns: nil, changing nothing, for a token whose signature does not hold or whose message is gone.
    package func unsubscribe(
        token: String, way: UnsubscribeWay, userAgent: String?, now: Int64 = Timestamp.micros(Date())
    ) async throws -> UnsubscribeTarget? {
        guard let target = try await unsubscribeTarget(token: token) else { return nil }
        let services = self.services
        let hits = self.hits
        try await services.store.transaction { database in
            try await EmailSettingsRepository(store: services.store).suppress(
                workspaceID: target.workspaceID, address: target.address, reason: "unsubscribed", detail: way.rawValue,
                at: now, on: database)
            if let outboxID = target.outboxID,
                let message = try await hits.lockMessage(
                    workspaceID: target.workspaceID, id: outboxID, on: database)
            {
                let first = try await OutboxRepository(store: services.store).recordFirst(
                    .unsubscribed, workspaceID: message.workspaceID, id: message.id, at: now, on: database)
                try await hits.insert(
                    Self.hit(
                        message, .unsubscribe, url: nil, userAgent: userAgent, now: now,
                        first ? .counted : TrackingVerdict(counted: false, flag: .repeatUnsubscribe)),
                    on: database)
                if first, message.contactID != nil {
                    var event = Self.event("email_unsubscribed", message, url: nil, now: now)
                    event.data["way"] = .string(way.rawValue)
                    try await TimelineRepository(store: services.store).append([event], on: database)
                }
            }
            if let contactID = target.contactID {
                try await Self.setConsent(
                    services, workspaceID: target.workspaceID, contactID: contactID, state: "withdrawn",
                    source: way.rawValue, now: now, on: database)
            }
        }
        return target
    }

    /// Sets a contact's email consent as the contact asked (through a link), unless it already is so.
    static func setConsent(
        _ services: Services, workspaceID: String, contactID: String, state: String, source: String, now: Int64,
        on database: any SQLDatabase
    ) async throws {
        let current = try await ConsentRepository(store: services.store).states(
            workspaceID: workspaceID, contactID: contactID, on: database
        ).first { $0.channel == "email" }?.state
        guard current != state else { return }
        _ = try await ConsentService(services).change(
            .system(workspaceID), contactID: contactID, channel: "email", state: state, source: source, note: nil,
            actor: Actor(.system, id: nil), now: now, on: database)
    }
}

import Foundation
package import RapportCore
import RapportStore
import SQLKit

/// Open and click tracking of marketing mail: the links a message is sent with (a pixel, click redirects, an
/// unsubscribe link that names the message), and the hits those links record.
///
/// A counted open or click lands on the contact's timeline (`email_opened`, `email_clicked`), and the message's
/// first one sets its `opened_at`/`clicked_at`, which a campaign's figures count. Not counted, but recorded
/// with the reason (`TrackingRules`): an open within a minute of a counted one of the same message, and a click
/// by a link scanner (a known scanner's agent, or a non-browser agent within a second of delivery). A counted
/// click of a message with no counted open counts as its open too (`implied_by_click`): the reader had images
/// off. Transactional mail is not tracked.
package struct EmailTracking: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    var secret: String { services.settings.secretKey }
    var hits: TrackingRepository { TrackingRepository(store: services.store) }

    /// The address public links start with: the configured public URL, else the local default.
    package var base: String { services.settings.publicURL ?? "http://localhost:8080" }

    // MARK: Links

    /// `PUBLIC_URL/t/o/TOKEN`: the message's open pixel.
    package func openURL(workspaceID: String, outboxID: String) -> String? {
        link("/t/o/", .init(kind: .open, workspaceID: workspaceID, id: outboxID))
    }

    /// `PUBLIC_URL/t/c/TOKEN`: a click redirect of the message to `url` (nil when it is not a web address).
    package func clickURL(workspaceID: String, outboxID: String, url: String) -> String? {
        link("/t/c/", .init(kind: .click, workspaceID: workspaceID, id: outboxID, url: url))
    }

    /// `PUBLIC_URL/u/TOKEN`: the message's unsubscribe link, which records which message it came from.
    package func unsubscribeURL(workspaceID: String, outboxID: String) -> String? {
        unsubscribeToken(workspaceID: workspaceID, outboxID: outboxID).map { base + "/u/" + $0 }
    }

    /// The token of the message's unsubscribe link, which its List-Unsubscribe `mailto:` subject also carries.
    package func unsubscribeToken(workspaceID: String, outboxID: String) -> String? {
        TrackingToken.make(.init(kind: .unsubscribe, workspaceID: workspaceID, id: outboxID), secret: secret)
    }

    /// `PUBLIC_URL/p/TOKEN`: a contact's preference centre.
    package func preferencesURL(workspaceID: String, contactID: String) -> String? {
        preferencesToken(workspaceID: workspaceID, contactID: contactID).map { base + "/p/" + $0 }
    }

    /// The token of a contact's preference centre.
    package func preferencesToken(workspaceID: String, contactID: String) -> String? {
        TrackingToken.make(.init(kind: .preferences, workspaceID: workspaceID, id: contactID), secret: secret)
    }

    func link(_ path: String, _ claims: TrackingToken.Claims) -> String? {
        TrackingToken.make(claims, secret: secret).map { base + path + $0 }
    }

    // MARK: Sending

    /// What a message is sent with.
    package struct Prepared: Sendable, Equatable {
        package var html: String?
        package var text: String
        /// The List-Unsubscribe address (marketing mail).
        package var unsubscribeURL: String?
        /// The token of the message's own unsubscribe link, which the List-Unsubscribe `mailto:` carries too.
        package var unsubscribeToken: String? = nil
    }

    /// A message as it is sent: for marketing mail, the unsubscribe link made when it was rendered (which names
    /// only the address) replaced by the message's own, every other web link in the HTML and the text through a
    /// click redirect, and an open pixel at the end of the HTML. Transactional mail is sent as it was rendered.
    package func prepare(_ message: OutboxMessage) -> Prepared {
        guard message.kind == .marketing else {
            return Prepared(html: message.html, text: message.text, unsubscribeURL: message.unsubscribeURL)
        }
        let token = unsubscribeToken(workspaceID: message.workspaceID, outboxID: message.id)
        let own = token.map { base + "/u/" + $0 } ?? message.unsubscribeURL
        var html = message.html
        var text = message.text
        if let rendered = message.unsubscribeURL, let own, rendered != own {
            html = html?.replacingEvery(HTMLText.escape(rendered), with: HTMLText.escape(own))
                .replacingEvery(rendered, with: own)
            text = text.replacingEvery(rendered, with: own)
        }
        let kept = [base + "/u/", base + "/p/", base + "/t/"]
        let redirect: (String) -> String? = { url in
            if kept.contains(where: { url.hasPrefix($0) }) || url == message.unsubscribeURL { return nil }
            return clickURL(workspaceID: message.workspaceID, outboxID: message.id, url: url)
        }
        return Prepared(
            html: html.map {
                TrackedLinks.rewriteHTML(
                    $0, link: redirect, pixel: openURL(workspaceID: message.workspaceID, outboxID: message.id))
            },
            text: TrackedLinks.rewriteText(text, link: redirect), unsubscribeURL: own, unsubscribeToken: token)
    }

    // MARK: Recording

    /// Records an open from a pixel's token.
    /// - Returns: false, recording nothing, for a token whose signature does not hold.
    package func open(token: String, userAgent: String?, now: Int64 = Timestamp.micros(Date())) async throws -> Bool {
        guard let claims = TrackingToken.read(token, kind: .open, secret: secret) else { return false }
        try await record(claims, userAgent: userAgent, now: now)
        return true
    }

    /// Records a click from a redirect's token.
    /// - Returns: the address to send the reader to (the one that was signed); nil, recording nothing, for a
    ///   token whose signature does not hold.
    package func click(token: String, userAgent: String?, now: Int64 = Timestamp.micros(Date())) async throws
        -> String?
    {
        guard let claims = TrackingToken.read(token, kind: .click, secret: secret), let url = claims.url else {
            return nil
        }
        try await record(claims, userAgent: userAgent, now: now)
        return url
    }

    /// A hit of a message, decided while the message is locked, so two hits at once are judged one after the
    /// other. A message the workspace does not have (any more) records nothing.
    func record(_ claims: TrackingToken.Claims, userAgent: String?, now: Int64) async throws {
        let hits = self.hits
        let store = services.store
        try await store.transaction { database in
            guard let message = try await hits.lockMessage(workspaceID: claims.workspaceID, id: claims.id, on: database)
            else { return }
            var events: [TimelineEvent] = []
            if claims.kind == .open {
                let counted = try await hits.countedOpen(
                    workspaceID: message.workspaceID, outboxID: message.id, near: now,
                    within: TrackingRules.openWindow, on: database)
                let verdict = TrackingRules.open(at: now, counted: counted)
                try await hits.insert(
                    Self.hit(message, .open, url: nil, userAgent: userAgent, now: now, verdict), on: database)
                if verdict.counted {
                    _ = try await OutboxRepository(store: store).recordFirst(
                        .opened, workspaceID: message.workspaceID, id: message.id, at: now, on: database)
                    events.append(Self.event("email_opened", message, url: nil, now: now))
                }
            } else {
                let verdict = TrackingRules.click(at: now, sentAt: message.sentAt ?? now, userAgent: userAgent)
                try await hits.insert(
                    Self.hit(message, .click, url: claims.url, userAgent: userAgent, now: now, verdict), on: database)
                if verdict.counted {
                    let outbox = OutboxRepository(store: store)
                    _ = try await outbox.recordFirst(
                        .clicked, workspaceID: message.workspaceID, id: message.id, at: now, on: database)
                    if try await outbox.recordFirst(
                        .opened, workspaceID: message.workspaceID, id: message.id, at: now, on: database)
                    {
                        try await hits.insert(
                            Self.hit(
                                message, .open, url: nil, userAgent: userAgent, now: now,
                                TrackingVerdict(counted: true, flag: .impliedByClick)), on: database)
                        events.append(Self.event("email_opened", message, url: nil, now: now))
                    }
                    events.append(Self.event("email_clicked", message, url: claims.url, now: now))
                }
            }
            if message.contactID != nil, !events.isEmpty {
                try await TimelineRepository(store: store).append(events, on: database)
            }
        }
    }

    static func hit(
        _ message: OutboxMessage, _ kind: TrackingKind, url: String?, userAgent: String?, now: Int64,
        _ verdict: TrackingVerdict
    ) -> TrackingHit {
        TrackingHit(
            workspaceID: message.workspaceID, outboxID: message.id, contactID: message.contactID,
            campaignID: message.campaignID, variant: message.variant, kind: kind, url: url,
            userAgent: userAgent?.trimmingCharacters(in: .whitespaces).nonEmptyAgent, occurredAt: now,
            counted: verdict.counted, flag: verdict.flag)
    }

    /// A contact's timeline event about a message: the subject (and a click's address) as its body.
    static func event(_ type: String, _ message: OutboxMessage, url: String?, now: Int64) -> TimelineEvent {
        var data: [String: JSONValue] = [
            "outbox_id": .string(message.id), "subject": .string(message.subject),
            "body": .string(url.map { "\(message.subject) — \($0)" } ?? message.subject),
        ]
        if let url { data["url"] = .string(url) }
        if let campaign = message.campaignID { data["campaign_id"] = .string(campaign) }
        if let variant = message.variant { data["variant"] = .string(variant) }
        return TimelineEvent(
            workspaceID: message.workspaceID, type: type, occurredAt: now, actor: Actor(.system, id: nil),
            contactID: message.contactID, companyID: nil, data: data)
    }
}

extension String {
    /// Nil for an empty agent.
    fileprivate var nonEmptyAgent: String? { isEmpty ? nil : self }
}

import Foundation
package import RapportCore
import RapportStore

/// The preference centre (`/p/TOKEN`, linked from marketing mail and the unsubscribe page): with no sign-in,
/// the contact a signed link names keeps or drops each of the workspace's topics, unsubscribes from all
/// marketing mail, or subscribes again. Every change is kept with its source (`preference_centre`) and time, like
/// consent; a message of a dropped topic is not sent (`droppedTopic`, at send time).
package struct PreferenceService: Sendable {
    let services: Services
    var preferences: TopicPreferenceRepository { TopicPreferenceRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The source consent and topic changes made here carry.
    package static let source = "preference_centre"

    /// What the preference centre shows a contact.
    package struct Centre: Sendable, Equatable {
        package struct Topic: Sendable, Equatable {
            package var topic: EmailTopic
            package var kept: Bool
        }

        package var workspaceID: String
        package var contactID: String
        package var address: String?
        /// The contact's language, when Rapport has pages in it.
        package var language: Language?
        /// False once the contact unsubscribed from all marketing mail (consent withdrawn or the address
        /// suppressed as unsubscribed).
        package var subscribed: Bool
        package var topics: [Topic]
    }

    /// The centre a link opens.
    /// - Returns: nil for a token whose signature does not hold.
    /// - Throws: `notFound` when the contact is gone.
    package func centre(token: String) async throws -> Centre? {
        guard let claims = TrackingToken.read(token, kind: .preferences, secret: services.settings.secretKey) else {
            return nil
        }
        let workspaceID = claims.workspaceID
        let contact = try await RecordService(services, schema: .contacts).get(.system(workspaceID), id: claims.id)
        let address = contact.string("email")
        let withdrawn = contact.string("email_consent") == "unsubscribed"
        var suppressed = false
        if let address {
            suppressed =
                try await EmailSettingsRepository(store: services.store).suppression(
                    workspaceID: workspaceID, address: address) == "unsubscribed"
        }
        let choices = try await preferences.choices(workspaceID: workspaceID, contactID: contact.id)
        let topics = try await EmailTopicRepository(store: services.store).all(workspaceID: workspaceID)
        return Centre(
            workspaceID: workspaceID, contactID: contact.id, address: address,
            language: EmailTracking.language(of: contact), subscribed: !withdrawn && !suppressed,
            topics: topics.map { Centre.Topic(topic: $0, kept: choices[$0.id] != .dropped) })
    }

    /// Saves the contact's choices: the topics in `kept` are kept, the workspace's others dropped (a change
    /// is recorded only where the choice changes). With `resubscribe`, a contact who had unsubscribed from all
    /// gets marketing mail again: consent granted, the address no longer suppressed as unsubscribed.
    /// - Returns: the centre as it is now; nil for a token whose signature does not hold.
    package func save(token: String, kept: Set<String>, resubscribe: Bool, now: Int64 = Timestamp.micros(Date()))
        async throws -> Centre?
    {
        guard let centre = try await centre(token: token) else { return nil }
        let services = self.services
        let preferences = self.preferences
        try await services.store.transaction { database in
            for row in centre.topics where row.kept != kept.contains(row.topic.id) {
                try await preferences.record(
                    TopicPreferenceChange(
                        contactID: centre.contactID, topicID: row.topic.id,
                        choice: row.kept ? .dropped : .kept, source: Self.source, at: now),
                    workspaceID: centre.workspaceID, on: database)
            }
            if resubscribe, !centre.subscribed {
                if let address = centre.address {
                    try await EmailSettingsRepository(store: services.store).unsuppress(
                        workspaceID: centre.workspaceID, address: address, reason: "unsubscribed", on: database)
                }
                try await EmailTracking.setConsent(
                    services, workspaceID: centre.workspaceID, contactID: centre.contactID, state: "granted",
                    source: Self.source, now: now, on: database)
            }
        }
        return try await self.centre(token: token)
    }

    /// Unsubscribes the contact from all marketing mail: consent withdrawn (source `preference_centre`) and the
    /// address suppressed as unsubscribed.
    /// - Returns: the centre as it is now; nil for a token whose signature does not hold.
    package func unsubscribeAll(token: String, now: Int64 = Timestamp.micros(Date())) async throws -> Centre? {
        guard let centre = try await centre(token: token) else { return nil }
        let services = self.services
        try await services.store.transaction { database in
            if let address = centre.address {
                try await EmailSettingsRepository(store: services.store).suppress(
                    workspaceID: centre.workspaceID, address: address, reason: "unsubscribed", detail: Self.source,
                    at: now, on: database)
            }
            try await EmailTracking.setConsent(
                services, workspaceID: centre.workspaceID, contactID: centre.contactID, state: "withdrawn",
                source: Self.source, now: now, on: database)
        }
        return try await self.centre(token: token)
    }

    /// Why a message is not to be sent because its contact dropped its template's topic ("The contact dropped
    /// the topic “Events”."); nil when it may go. Only marketing mail has topics.
    package func droppedTopic(_ message: OutboxMessage) async throws -> String? {
        guard message.kind == .marketing, let templateID = message.templateID, let contactID = message.contactID
        else { return nil }
        return try await preferences.droppedTopic(
            workspaceID: message.workspaceID, templateID: templateID, contactID: contactID
        ).map { "The contact dropped the topic “\($0)”." }
    }

    /// A contact's choices of the workspace's topics (for their page), for a viewer who may see the contact.
    package func topics(_ viewer: Viewer, contactID: String) async throws -> [Centre.Topic] {
        let contact = try await RecordService(services, schema: .contacts).get(viewer, id: contactID)
        let choices = try await preferences.choices(workspaceID: viewer.workspaceID, contactID: contact.id)
        return try await EmailTopicRepository(store: services.store).all(workspaceID: viewer.workspaceID).map {
            Centre.Topic(topic: $0, kept: choices[$0.id] != .dropped)
        }
    }
}

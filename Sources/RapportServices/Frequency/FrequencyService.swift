import Foundation
package import RapportCore
import RapportStore

/// The workspace's frequency policy (everyone reads it; owners and admins change it, as they do the email
/// settings), and where one contact stands against it.
package struct FrequencyService: Sendable {
    let services: Services
    var repository: FrequencyRepository { FrequencyRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The workspace's policy (empty when none was saved).
    package func get(_ principal: Principal) async throws -> FrequencyPolicy {
        try await repository.policy(workspaceID: principal.workspace.id)
    }

    /// Replaces the workspace's policy with the draft's.
    /// - Throws: `forbidden` for members; `invalid` naming each bad field.
    package func put(_ principal: Principal, _ draft: FrequencyPolicy.Draft, now: Int64 = Timestamp.micros(Date()))
        async throws -> FrequencyPolicy
    {
        try Access(principal).require(.manageEmail)
        var policy = try draft.validated().get()
        try await repository.save(workspaceID: principal.workspace.id, policy, at: now)
        policy.updatedAt = now
        return policy
    }

    /// One contact against the policy.
    package struct ContactStanding: Sendable, Equatable {
        package var contactID: String
        /// The window the counts are over: the cap's, or 7 days without a cap.
        package var windowDays: Int
        /// Sent in the window, by kind.
        package var marketingSent: Int
        package var transactionalSent: Int
        /// Marketing rows queued, being sent or deferred; and of those, the ones the policy holds back.
        package var marketingWaiting: Int
        package var marketingHeld: Int
        /// The zone their quiet hours are read in (theirs, else the workspace's).
        package var timeZone: String
        /// When a marketing message could go to them (now, or the earliest moment the policy allows).
        package var nextSlotAt: Int64
        /// Why not now; nil when now.
        package var nextSlotReason: String?
        /// Why they get no marketing mail at all (no consent, undeliverable); nil when they may.
        package var refusal: String?
    }

    /// Where a contact the viewer may see stands: mail sent in the window by kind, marketing mail waiting, and
    /// when the next marketing message could go.
    /// - Throws: `notFound` for a contact out of reach; `forbidden` for a role that hides consent.
    package func standing(_ principal: Principal, contactID: String, now: Int64 = Timestamp.micros(Date()))
        async throws -> ContactStanding
    {
        let contact = try await RecordService(services, schema: .contacts).get(principal.viewer, id: contactID)
        // (it tells whether the contact consents: a role that hides consent reads none, as with consent itself)
        if principal.viewer.hiddenFields(.contacts).contains("email_consent") {
            throw RapportError(.forbidden, "Your role does not read contacts' email consent.")
        }
        let workspaceID = principal.workspace.id
        let policy = try await repository.policy(workspaceID: workspaceID)
        guard let recipient = try await repository.recipient(workspaceID: workspaceID, contactID: contact.id) else {
            throw RapportError.notFound("The contact")
        }
        let windowDays = policy.cap?.windowDays ?? 7
        let counts = try await repository.counts(
            workspaceID: workspaceID, contactID: contact.id, since: now - Int64(windowDays) * 86_400_000_000)
        let zone = SendPolicy.zone(contact: recipient.timeZone, workspace: recipient.workspaceTimeZone)
        let sends = try await repository.marketingSends(
            workspaceID: workspaceID, contactID: contact.id, since: now - policy.lookBack, excluding: "")
        let deferral = SendPolicy.deferral(policy, sends: sends, now: now, zone: zone)
        return ContactStanding(
            contactID: contact.id, windowDays: windowDays, marketingSent: counts.marketingSent,
            transactionalSent: counts.transactionalSent, marketingWaiting: counts.marketingWaiting,
            marketingHeld: counts.marketingHeld, timeZone: SendPolicy.name(zone),
            nextSlotAt: deferral?.until ?? now, nextSlotReason: deferral?.reason,
            refusal: SendPolicy.refusal(
                consent: SendPolicyCheck.consent(recipient), emailStatus: recipient.emailStatus)?
                .reason)
    }
}

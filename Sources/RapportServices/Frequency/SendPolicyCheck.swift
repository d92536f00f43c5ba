import Foundation
import RapportCore
import RapportStore

/// The check every marketing row passes at the moment it would be sent, not only when it was queued: the
/// contact must exist and have granted email consent, and their address must not be undeliverable (else the
/// row is `skipped` with the reason); then the workspace's frequency policy (the cap in a rolling window, the
/// minimum gap, quiet hours in the contact's zone) must allow a message now (else the row is `deferred` to the
/// earliest moment all rules allow, with the reason, and the attempt is given back).
///
/// With a policy, the check and the reservation of the slot are one transaction, under a lock on the contact (PostgreSQL's
/// advisory lock; SQLite's one writer), and a row that passed counts as sent while it is being sent: two
/// workers, in one process or two, cannot both take a contact's last free slot.
struct SendPolicyCheck: Sendable {
    let services: Services

    /// What the check says of one claimed row.
    enum Verdict: Sendable, Equatable {
        /// Send it now (its slot is reserved).
        case send
        /// Do not send it at all: `skipped`, with the reason.
        case skip(String)
        /// Not yet: `deferred` until then, with the reason.
        case wait(SendDeferral)
        /// Another worker holds the row now: leave it.
        case lost
    }

    func check(_ message: OutboxMessage, owner: String, now: Int64) async throws -> Verdict {
        guard let contactID = message.contactID else { return .skip(MarketingRefusal.noContact.reason) }
        let repository = FrequencyRepository(store: services.store)
        let workspaceID = message.workspaceID
        // without a policy there is no slot to reserve: consent and status are read, and nothing is written
        if try await repository.policy(workspaceID: workspaceID).isEmpty {
            guard let recipient = try await repository.recipient(workspaceID: workspaceID, contactID: contactID) else {
                return .skip(MarketingRefusal.noContact.reason)
            }
            return SendPolicy.refusal(consent: Self.consent(recipient), emailStatus: recipient.emailStatus).map {
                .skip($0.reason)
            } ?? .send
        }
        return try await services.store.transaction { database in
            try await repository.lockContact(workspaceID: workspaceID, contactID: contactID, on: database)
            guard
                let recipient = try await repository.recipient(
                    workspaceID: workspaceID, contactID: contactID, on: database)
            else { return .skip(MarketingRefusal.noContact.reason) }
            if let refusal = SendPolicy.refusal(consent: Self.consent(recipient), emailStatus: recipient.emailStatus) {
                return .skip(refusal.reason)
            }
            let policy = try await repository.policy(workspaceID: workspaceID, on: database)
            if !policy.isEmpty {
                let sends = try await repository.marketingSends(
                    workspaceID: workspaceID, contactID: contactID, since: now - policy.lookBack,
                    excluding: message.id, on: database)
                let zone = SendPolicy.zone(contact: recipient.timeZone, workspace: recipient.workspaceTimeZone)
                if let deferral = SendPolicy.deferral(policy, sends: sends, now: now, zone: zone) {
                    return .wait(deferral)
                }
            }
            guard try await repository.reserve(workspaceID: workspaceID, id: message.id, owner: owner, on: database)
            else { return .lost }
            return .send
        }
    }

    /// The contact's email consent: granted only when both the channel's record and the contact's
    /// `email_consent` field say so (they are kept in step; when they differ, the stricter one counts).
    static func consent(_ recipient: FrequencyRepository.Recipient) -> String {
        let field = Consent.state(fieldValue: recipient.consentField)
        let channel = recipient.consentState ?? field
        if channel == "granted" && field == "granted" { return "granted" }
        return channel == "withdrawn" || field == "withdrawn" ? "withdrawn" : "unknown"
    }
}

extension EmailDelivery {
    /// Holds a claimed marketing row back when its contact's consent or the frequency policy says so, writing
    /// the outcome (`skipped` or `deferred` with the reason).
    /// - Returns: true when the row is not to be sent now.
    func heldBack(_ message: OutboxMessage, owner: String, now: Int64) async throws -> Bool {
        guard message.kind == .marketing else { return false }
        switch try await SendPolicyCheck(services: services).check(message, owner: owner, now: now) {
        case .send:
            return false
        case .lost:
            return true
        case .skip(let reason):
            try await finish(message, owner: owner, .init(state: .skipped, lastError: reason))
            return true
        case .wait(let deferral):
            try await finish(
                message, owner: owner,
                .init(state: .deferred, nextAttemptAt: deferral.until, deferredReason: deferral.reason))
            return true
        }
    }

    /// A claimed batch in lanes that run side by side: each contact's marketing rows in one lane, oldest first,
    /// so the policy passes them in the order they were queued; every other row in a lane of its own.
    static func lanes(_ claimed: [OutboxMessage]) -> [[OutboxMessage]] {
        var lanes: [[OutboxMessage]] = []
        var laneOfContact: [String: Int] = [:]
        let ordered = claimed.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        for message in ordered {
            guard message.kind == .marketing, let contactID = message.contactID else {
                lanes.append([message])
                continue
            }
            if let lane = laneOfContact[contactID] {
                lanes[lane].append(message)
            } else {
                laneOfContact[contactID] = lanes.count
                lanes.append([message])
            }
        }
        return lanes
    }
}

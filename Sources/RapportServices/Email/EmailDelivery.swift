import Foundation
package import Logging
import RapportCore
import RapportDatabase
import RapportMail
package import RapportStore

/// Sends a workspace's outbox: an `email_delivery` job (one queued or running per workspace, by its dedup key)
/// claims due rows in batches and hands them to the workspace's SMTP server through the connection pool this
/// process keeps for the workspace (`SMTPPools`), then marks each row by what the server said:
///
/// | server said | row becomes |
/// |---|---|
/// | 250 after the final dot | `sent`, with the reply (and an `email_sent` event on the contact's timeline) |
/// | 4xx, or a connection that failed before the message was taken | `deferred`, tried again after 1, 2, 4 … minutes (at most an hour); out of attempts, `failed` |
/// | 5xx | `bounced`, the address suppressed (`hard_bounce`) and an `email_bounced` event |
/// | a failure after the final dot (the server may have taken it) | `failed`: sending again could deliver it twice |
///
/// A suppressed address is checked again at send time (the row becomes `skipped`), and so are a marketing row's
/// topic the contact dropped in the preference centre, their consent and the frequency policy
/// (`SendPolicyCheck`: `skipped` or `deferred` with the reason). Marketing mail goes out with its links
/// rewritten for tracking (`EmailTracking.prepare`). A row left in `sending` by a worker that died is claimed
/// again once `emailSendingTimeout` has passed: if that worker's server had already accepted the message, it is
/// sent a second time (the one window where a duplicate is possible).
/// `email_sweep`, every minute, schedules delivery for workspaces with due rows, so no row waits on a lost job.
package struct EmailDelivery: Sendable {
    package static let kind = "email_delivery"
    package static let sweepKind = "email_sweep"
    /// The fewest rows kept in flight (claimed and not yet marked); more with more connections.
    static let batch = 20

    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// The delivery job of a workspace, due at `at`.
    package static func job(workspaceID: String, at: Int64) -> NewJob {
        NewJob(workspaceID: workspaceID, kind: kind, dueAt: at, maxAttempts: 20, dedupKey: kind)
    }

    /// The handler the job runner delivers with.
    package static func handler(_ services: Services) -> JobHandler {
        JobHandler(kind: kind) { context in
            guard let workspaceID = context.workspaceID else {
                throw RapportError(.invalid, "An email delivery job names no workspace.")
            }
            return try await EmailDelivery(services).run(
                workspaceID: workspaceID, owner: RecordID.make(), logger: context.logger)
        }
    }

    /// The sweep: a delivery job for each workspace with a row due (or stuck in `sending`).
    package static func sweeper(_ services: Services) -> JobHandler {
        JobHandler(kind: sweepKind, every: .seconds(60)) { _ in
            let now = Timestamp.micros(Date())
            let stale = now - micros(services.settings.emailSendingTimeout)
            return try await OutboxRepository(store: services.store).workspacesDue(now: now, staleBefore: stale).map {
                job(workspaceID: $0, at: now)
            }
        }
    }

    /// Sends the workspace's due rows until none is left (or a minute has passed), keeping up to `window` rows in
    /// flight over the workspace's pool of `emailConnections` sessions: more rows are claimed whenever half of
    /// those in flight are done, so the sessions never wait for a whole batch to finish.
    /// - Returns: the next delivery job when a row waits for later (a deferred one).
    package func run(
        workspaceID: String, owner: String, now clock: @escaping @Sendable () -> Int64 = { Timestamp.micros(Date()) },
        logger: Logger? = nil
    )
        async throws -> [NewJob]
    {
        let outbox = OutboxRepository(store: services.store)
        let timeout = Self.micros(services.settings.emailSendingTimeout)
        let started = clock()
        let stored = try await EmailSettingsRepository(store: services.store).find(workspaceID: workspaceID)
        let pool = await lease(stored)
        let window = max(Self.batch, services.settings.emailConnections * 8)
        var claimedCount = 0
        do {
            try await withThrowingTaskGroup(of: [String].self) { group in
                // Rows of this run not yet marked. A claim can return one of them again when its send has taken
                // longer than the sending timeout (a timeout set shorter than a send): it is not sent twice here.
                var inFlight: Set<String> = []
                // (set when a claim found fewer rows than it asked for: the next claim waits until all are done)
                var drained = false
                while true {
                    let wanted = window - inFlight.count
                    if wanted > 0, drained ? inFlight.isEmpty : inFlight.count <= window / 2,
                        clock() - started < 60_000_000
                    {
                        let now = clock()
                        let claimed = try await outbox.claim(
                            workspaceID: workspaceID, owner: owner, now: now, staleBefore: now - timeout,
                            limit: wanted)
                        drained = claimed.count < wanted
                        claimedCount += claimed.count
                        // (a contact's marketing rows one after another, oldest first: see `lanes`)
                        for lane in Self.lanes(claimed.filter { !inFlight.contains($0.id) }) {
                            inFlight.formUnion(lane.map(\.id))
                            group.addTask { [pool, stored] in
                                for message in lane {
                                    try await deliver(message, owner: owner, settings: stored, pool: pool, now: clock)
                                }
                                return lane.map(\.id)
                            }
                        }
                    }
                    guard let done = try await group.next() else { break }
                    inFlight.subtract(done)
                }
            }
        } catch {
            if let pool { await services.smtpPools.release(pool, workspaceID: workspaceID) }
            throw error
        }
        if let pool { await services.smtpPools.release(pool, workspaceID: workspaceID) }
        logger?.info(
            "email delivery run", metadata: ["email.claimed": "\(claimedCount)", "workspace.id": "\(workspaceID)"])
        guard let next = try await outbox.nextDue(workspaceID: workspaceID, sendingTimeout: timeout) else { return [] }
        return [Self.job(workspaceID: workspaceID, at: max(next, clock()))]
    }

    /// The workspace's kept pool for its stored settings; nil without settings or with a password that cannot be
    /// unsealed (each row is then deferred with the reason).
    func lease(_ stored: StoredEmailSettings?) async -> SMTPConnectionPool? {
        guard let stored, let settings = try? EmailSettingsService(services).smtpSettings(stored) else { return nil }
        let version = [
            stored.host, "\(stored.port)", stored.tls, stored.username ?? "", stored.passwordSealed ?? "",
            "\(stored.updatedAt)",
        ].joined(separator: "\u{1F}")
        return await services.smtpPools.lease(
            workspaceID: stored.workspaceID, version: version, settings: settings,
            size: services.settings.emailConnections)
    }

    /// Sends one claimed row and records the outcome.
    func deliver(
        _ message: OutboxMessage, owner: String, settings: StoredEmailSettings?, pool: SMTPConnectionPool?,
        now clock: @escaping @Sendable () -> Int64
    ) async throws {
        let repository = EmailSettingsRepository(store: services.store)
        if let reason = try await repository.suppression(workspaceID: message.workspaceID, address: message.toAddress) {
            try await finish(
                message, owner: owner, .init(state: .skipped, lastError: "The address is suppressed (\(reason))."))
            return
        }
        if let reason = try await PreferenceService(services).droppedTopic(message) {
            try await finish(message, owner: owner, .init(state: .skipped, lastError: reason))
            return
        }
        // marketing mail: the contact's consent and the frequency policy, now (Frequency/SendPolicyCheck.swift)
        if try await heldBack(message, owner: owner, now: clock()) { return }
        guard let settings, let pool else {
            let error =
                settings == nil
                ? "No email settings: save them under Settings → Email."
                : "The SMTP password cannot be read: enter it again."
            try await finish(message, owner: owner, retry(message, error: error, reply: nil, now: clock()))
            return
        }
        // (marketing mail: its own unsubscribe link, click redirects and an open pixel)
        let tracked = EmailTracking(services).prepare(message)
        var mail = MailMessage(
            from: MailAddress(settings.fromAddress, name: settings.fromName),
            to: [MailAddress(message.toAddress, name: message.toName)], subject: message.subject, text: tracked.text,
            html: tracked.html)
        mail.messageID = message.messageID
        if let replyTo = settings.replyTo { mail.replyTo = [MailAddress(replyTo)] }
        if message.kind == .marketing {
            let https = tracked.unsubscribeURL?.lowercased().hasPrefix("https://") == true
            mail.listUnsubscribe = ListUnsubscribe(
                mailto: Self.unsubscribeMailto(settings.fromAddress, token: tracked.unsubscribeToken),
                url: tracked.unsubscribeURL,
                oneClick: https)
        }
        mail.headers = [MailHeader("X-Rapport-Message", message.id)]
        let outcome: OutboxRepository.Outcome
        do {
            switch try await pool.send(mail, now: Date(timeIntervalSince1970: Double(clock()) / 1_000_000)) {
            case .accepted(let reply):
                outcome = .init(state: .sent, smtpReply: "\(reply)", sentAt: clock())
            case .temporaryFailure(let code, let text):
                outcome = retry(
                    message, error: "The server deferred it: \(code) \(text)", reply: "\(code) \(text)", now: clock())
            case .permanentFailure(let code, let text):
                outcome = .init(
                    state: .bounced, lastError: "The server refused it: \(code) \(text)", smtpReply: "\(code) \(text)")
            }
        } catch {
            if error.mayHaveBeenDelivered {
                outcome = .init(
                    state: .failed,
                    lastError:
                        "The connection failed after the message was sent; it may have been delivered, so it is not sent again. \(error)"
                )
            } else if error.kind == .invalidMessage {
                outcome = .init(state: .failed, lastError: "\(error)")
            } else {
                outcome = retry(message, error: "\(error)", reply: error.reply.map { "\($0)" }, now: clock())
            }
        }
        try await finish(message, owner: owner, outcome)
    }

    /// Deferred to the next attempt, or failed when out of attempts.
    func retry(_ message: OutboxMessage, error: String, reply: String?, now: Int64) -> OutboxRepository.Outcome {
        guard message.attempts < services.settings.emailMaxAttempts else {
            return .init(state: .failed, lastError: "Out of attempts. " + error, smtpReply: reply)
        }
        let base = Self.micros(services.settings.emailRetryBase)
        let wait = min(base << min(max(message.attempts - 1, 0), 20), Self.micros(services.settings.emailRetryCap))
        return .init(state: .deferred, nextAttemptAt: now + wait, lastError: error, smtpReply: reply)
    }

    /// Writes the outcome, with the suppression of a bounced address (and the contact marked undeliverable) and the
    /// contact's timeline event, in one transaction (on SQLite sharing its commit with the outcomes written at the
    /// same moment); nothing when another worker has taken the row since.
    func finish(_ message: OutboxMessage, owner: String, _ outcome: OutboxRepository.Outcome) async throws {
        let services = self.services
        let line = outcome.lastError.map { String($0.prefix(500)) }
        var outcome = outcome
        outcome.lastError = line
        let final = outcome
        // (a row write of the store: on SQLite, the outcomes of the sends that end together share a commit)
        try await services.store.writeRows { session in
            guard
                try await OutboxRepository(store: services.store).finish(
                    workspaceID: message.workspaceID, id: message.id, owner: owner, final, on: session)
            else { return }
            try await Self.record(
                services, message, final.state, reply: final.smtpReply, now: Timestamp.micros(Date()), on: session)
        }
    }

    /// What an outcome changes besides its row, inside the row's write: a bounce suppresses the address
    /// (`hard_bounce`) and marks the contact undeliverable; a send or a bounce lands on the contact's timeline
    /// (`email_sent`, `email_bounced` with what the server said). Also for a bounce reported later by mail.
    static func record(
        _ services: Services, _ message: OutboxMessage, _ state: OutboxState, reply: String?, now: Int64,
        on session: RowSession
    ) async throws {
        if state == .bounced {
            try await EmailSettingsRepository(store: services.store).suppress(
                workspaceID: message.workspaceID, address: message.toAddress, reason: "hard_bounce", detail: reply,
                at: now, on: session.sql)
            try await markUndeliverable(services, message, now: now, on: session.sql)
        }
        guard let contactID = message.contactID, state == .sent || state == .bounced else { return }
        var data: [String: JSONValue] = [
            "outbox_id": .string(message.id), "subject": .string(message.subject),
            "to": .string(message.toAddress), "message_id": .string(message.messageID),
        ]
        if let reply { data["smtp_reply"] = .string(reply) }
        // what the timeline shows: the subject, and for a bounce what the server said
        data["body"] = .string(state == .bounced ? "\(message.subject) — \(reply ?? "")" : message.subject)
        if let purpose = message.purpose { data["purpose"] = .string(purpose) }
        try await TimelineRepository(store: services.store).append(
            [
                TimelineEvent(
                    workspaceID: message.workspaceID, type: state == .sent ? "email_sent" : "email_bounced",
                    occurredAt: now, actor: Actor(.system, id: nil), contactID: contactID, companyID: nil, data: data)
            ], on: session)
    }

    /// The List-Unsubscribe `mailto:`: the sender's address, with the subject `unsubscribe TOKEN` (the message's
    /// signed unsubscribe token, base64url, so the request names its message and cannot be made for another).
    package static func unsubscribeMailto(_ from: String, token: String?) -> String {
        "mailto:\(from)?subject=\(InboundMailService.unsubscribeSubject)" + (token.map { "%20" + $0 } ?? "")
    }

    static func micros(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

import Foundation
import RapportCore
import RapportMailTestSupport
import RapportServer
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

@testable import RapportServices

/// The frequency policy and consent, checked by the delivery worker as each marketing message is about to be
/// sent, against a real SMTP server, on SQLite and PostgreSQL, with a fixed clock.
@Suite("Send policy: caps, gap, quiet hours and consent at send time", .timeLimit(.minutes(5)))
struct SendPolicyTests {
    struct World {
        let app: TestApp
        let seeded: Seeded
        var principal: Principal { Principal(user: seeded.owner, workspace: seeded.workspace) }
        var workspaceID: String { seeded.workspace.id }
        var services: Services { app.services }
        var actor: Actor { Actor(.user, id: seeded.owner.id) }

        static func make(_ app: TestApp, server: TestSMTPServer, policy: FrequencyPolicy.Draft? = nil) async throws
            -> World
        {
            let seeded = try await Fixtures.workspace(app)
            let world = World(app: app, seeded: seeded)
            _ = try await EmailSettingsService(app.services).put(
                world.principal,
                .init(
                    host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                    from: "news@acme.test", fromName: "Acme News", replyTo: nil))
            _ = try await WorkspaceService(app.services).setTimeZone(world.principal, "Europe/Copenhagen")
            if let policy { _ = try await FrequencyService(app.services).put(world.principal, policy) }
            return world
        }

        /// A contact who has given email consent (unless told otherwise), in `zone` (nil: the workspace's).
        func contact(_ first: String, _ email: String, zone: String? = nil, consent: String = "subscribed")
            async throws -> Record
        {
            var fields: [String: JSONValue] = [
                "first_name": .string(first), "email": .string(email), "email_consent": .string(consent),
            ]
            if let zone { fields["time_zone"] = .string(zone) }
            return try await RecordService(services, schema: .contacts).create(
                principal.viewer, fields: fields, actor: actor)
        }

        @discardableResult
        func enqueue(_ key: String, to contact: Record, kind: TemplateKind = .marketing, at now: Int64) async throws
            -> OutboxMessage
        {
            let address = contact.string("email")!
            return try await EmailService(services).enqueue(
                EmailService.Outgoing(
                    workspaceID: workspaceID, idempotencyKey: key, kind: kind, contactID: contact.id,
                    toAddress: address,
                    rendered: RenderedTemplate(subject: key, html: "<p>\(key)</p>", text: key),
                    unsubscribeURL: kind == .marketing
                        ? EmailService(services).unsubscribeURL(workspaceID: workspaceID, address: address) : nil),
                now: now
            ).0
        }

        func row(_ id: String) async throws -> OutboxMessage {
            try #require(try await OutboxRepository(store: app.runtime.store).find(workspaceID: workspaceID, id: id))
        }

        /// One delivery run with the clock fixed at `now`; the next run it asks for.
        @discardableResult
        func deliver(at now: Int64) async throws -> Int64? {
            try await EmailDelivery(services).run(workspaceID: workspaceID, owner: RecordID.make(), now: { now })
                .first?.dueAt
        }
    }

    static func at(_ text: String) -> Int64 { Timestamp.micros(Timestamp.parseWithOffset(text)!) }

    /// What one row should be after a run: sent at a moment, or waiting until one with a reason.
    enum Expected: CustomStringConvertible {
        case sent(String)
        case waiting(String, String)

        var description: String {
            switch self {
            case .sent(let at): "sent at \(at)"
            case .waiting(let until, let reason): "waiting until \(until): \(reason)"
            }
        }
    }

    func check(_ world: World, _ rows: [String: OutboxMessage], _ expected: [String: Expected], after run: String)
        async throws
    {
        for (label, expectation) in expected.sorted(by: { $0.key < $1.key }) {
            let row = try await world.row(try #require(rows[label]).id)
            switch expectation {
            case .sent(let at):
                #expect(row.state == .sent, "\(run): \(label) is \(row.state), expected \(expectation)")
                #expect(
                    row.sentAt == Self.at(at), "\(run): \(label) sent at \(row.sentAt.map(Timestamp.rfc3339) ?? "-")")
                #expect(row.attempts == 1, "\(run): \(label) counted \(row.attempts) attempts")
            case .waiting(let until, let reason):
                #expect(row.state == .deferred, "\(run): \(label) is \(row.state), expected \(expectation)")
                #expect(
                    row.nextAttemptAt == Self.at(until),
                    "\(run): \(label) waits until \(Timestamp.rfc3339(row.nextAttemptAt)), expected \(until)")
                #expect(row.deferredReason == reason, "\(run): \(label): \(row.deferredReason ?? "no reason")")
                #expect(row.attempts == 0, "\(run): \(label) counted \(row.attempts) attempts for a deferral")
                #expect(row.lastError == nil)
            }
        }
    }

    @Test(
        "a constructed schedule, message by message: 3 in 7 days, 12 h apart, quiet 22:00–07:00 in Tehran and Copenhagen",
        arguments: Backend.allCases)
    func schedule(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                // given the workspace in Copenhagen, one contact in Tehran and one with no zone of their own
                let world = try await World.make(
                    app, server: server,
                    policy: .init(
                        maxMessages: 3, windowDays: 7, minGapHours: 12, quietStart: "22:00", quietEnd: "07:00"))
                let tehran = try await world.contact("Shirin", "shirin@mail.test", zone: "Asia/Tehran")
                let copenhagen = try await world.contact("Søren", "soren@mail.test")
                // five marketing messages and one transactional each, queued Monday 2 March 08:00 UTC
                let start = Self.at("2026-03-02T08:00:00Z")
                var rows: [String: OutboxMessage] = [:]
                for n in 1...5 {
                    for (tag, contact) in [("T", tehran), ("C", copenhagen)] {
                        rows["\(tag)\(n)"] = try await world.enqueue("\(tag)\(n)", to: contact, at: start)
                    }
                }
                rows["Tt"] = try await world.enqueue("Tt", to: tehran, kind: .transactional, at: start)
                rows["Ct"] = try await world.enqueue("Ct", to: copenhagen, kind: .transactional, at: start)

                let gapTehran =
                    "Minimum gap: 12 hours between messages; then quiet hours 22:00–07:00 Asia/Tehran; next slot 2026-03-03 07:00 Asia/Tehran."
                // Monday 08:00 UTC (11:30 in Tehran, 09:00 in Copenhagen): the first of each goes, and the
                // transactional mail; the rest wait for the gap (which ends at 23:30 in Tehran, in quiet hours)
                var next = try await world.deliver(at: start)
                try await check(
                    world, rows,
                    [
                        "T1": .sent("2026-03-02T08:00:00Z"), "C1": .sent("2026-03-02T08:00:00Z"),
                        "Tt": .sent("2026-03-02T08:00:00Z"), "Ct": .sent("2026-03-02T08:00:00Z"),
                        "T2": .waiting("2026-03-03T07:00:00+03:30", gapTehran),
                        "T5": .waiting("2026-03-03T07:00:00+03:30", gapTehran),
                        "C2": .waiting(
                            "2026-03-02T20:00:00Z",
                            "Minimum gap: 12 hours between messages; next slot 2026-03-02 21:00 Europe/Copenhagen."),
                        "C5": .waiting(
                            "2026-03-02T20:00:00Z",
                            "Minimum gap: 12 hours between messages; next slot 2026-03-02 21:00 Europe/Copenhagen."),
                    ], after: "Monday 08:00")
                #expect(next == Self.at("2026-03-02T20:00:00Z"))

                // Monday 20:00 UTC: Copenhagen's second (21:00 there); Tehran is in quiet hours, nothing is due
                next = try await world.deliver(at: Self.at("2026-03-02T20:00:00Z"))
                try await check(
                    world, rows,
                    [
                        "C2": .sent("2026-03-02T20:00:00Z"),
                        "C3": .waiting(
                            "2026-03-03T08:00:00Z",
                            "Minimum gap: 12 hours between messages; next slot 2026-03-03 09:00 Europe/Copenhagen."),
                        "T2": .waiting("2026-03-03T07:00:00+03:30", gapTehran),
                    ], after: "Monday 20:00")
                #expect(next == Self.at("2026-03-03T07:00:00+03:30"))

                // Tuesday 07:00 in Tehran: its second, the moment quiet hours end
                next = try await world.deliver(at: Self.at("2026-03-03T07:00:00+03:30"))
                try await check(
                    world, rows,
                    [
                        "T2": .sent("2026-03-03T03:30:00Z"),
                        "T3": .waiting(
                            "2026-03-03T15:30:00Z",
                            "Minimum gap: 12 hours between messages; next slot 2026-03-03 19:00 Asia/Tehran."),
                        "C3": .waiting(
                            "2026-03-03T08:00:00Z",
                            "Minimum gap: 12 hours between messages; next slot 2026-03-03 09:00 Europe/Copenhagen."),
                    ], after: "Tuesday 03:30")
                #expect(next == Self.at("2026-03-03T08:00:00Z"))

                // Tuesday 08:00 UTC: Copenhagen's third; the cap (3 in 7 days) holds the rest until Monday 9th
                let capCopenhagen =
                    "Frequency cap: 3 messages in 7 days; next slot 2026-03-09 09:00 Europe/Copenhagen."
                next = try await world.deliver(at: Self.at("2026-03-03T08:00:00Z"))
                try await check(
                    world, rows,
                    [
                        "C3": .sent("2026-03-03T08:00:00Z"), "C4": .waiting("2026-03-09T08:00:00Z", capCopenhagen),
                        "C5": .waiting("2026-03-09T08:00:00Z", capCopenhagen),
                    ], after: "Tuesday 08:00")
                #expect(next == Self.at("2026-03-03T15:30:00Z"))

                // Tuesday 19:00 in Tehran: its third; then the cap
                let capTehran = "Frequency cap: 3 messages in 7 days; next slot 2026-03-09 11:30 Asia/Tehran."
                next = try await world.deliver(at: Self.at("2026-03-03T15:30:00Z"))
                try await check(
                    world, rows,
                    [
                        "T3": .sent("2026-03-03T15:30:00Z"), "T4": .waiting("2026-03-09T08:00:00Z", capTehran),
                        "T5": .waiting("2026-03-09T08:00:00Z", capTehran),
                    ], after: "Tuesday 15:30")
                #expect(next == Self.at("2026-03-09T08:00:00Z"))

                // Monday 9th 08:00 UTC: the first sends have left the window; one more each, then the cap again
                // (Copenhagen: its second send leaves at 20:00 UTC; Tehran: its second at 03:30 UTC on the 10th,
                // 07:00 there, after the gap's end in quiet hours)
                next = try await world.deliver(at: Self.at("2026-03-09T08:00:00Z"))
                try await check(
                    world, rows,
                    [
                        "C4": .sent("2026-03-09T08:00:00Z"), "T4": .sent("2026-03-09T08:00:00Z"),
                        "C5": .waiting(
                            "2026-03-09T20:00:00Z",
                            "Frequency cap: 3 messages in 7 days; next slot 2026-03-09 21:00 Europe/Copenhagen."),
                        "T5": .waiting(
                            "2026-03-10T03:30:00Z",
                            "Frequency cap: 3 messages in 7 days; next slot 2026-03-10 07:00 Asia/Tehran."),
                    ], after: "Monday 9th 08:00")
                #expect(next == Self.at("2026-03-09T20:00:00Z"))

                // what reached the server, in order: nothing held back was sent, nothing sent twice
                let subjects = try server.received().compactMap { $0.message.value("Subject") }
                #expect(subjects.sorted() == ["C1", "C2", "C3", "C4", "Ct", "T1", "T2", "T3", "T4", "Tt"])
                #expect(subjects.filter { $0.hasPrefix("T") && $0 != "Tt" } == ["T1", "T2", "T3", "T4"])
                #expect(subjects.filter { $0.hasPrefix("C") && $0 != "Ct" } == ["C1", "C2", "C3", "C4"])

                // where each contact stands: sent in the window by kind, and what waits
                let standing = try await FrequencyService(app.services).standing(
                    world.principal, contactID: tehran.id, now: Self.at("2026-03-09T08:00:00Z"))
                #expect(standing.marketingSent == 3)  // T2, T3, T4 (T1 left the window)
                #expect(standing.transactionalSent == 0)  // Tt left the window too
                #expect(standing.marketingWaiting == 1)
                #expect(standing.marketingHeld == 1)
                #expect(standing.timeZone == "Asia/Tehran")
                #expect(standing.nextSlotAt == Self.at("2026-03-10T03:30:00Z"))
                #expect(standing.refusal == nil)
            }
        }
    }

    @Test(
        "consent withdrawn after queueing, unknown consent, an undeliverable address and a deleted contact: skipped at send; transactional mail still goes",
        arguments: Backend.allCases)
    func consentAtSendTime(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let now = Self.at("2026-03-02T08:00:00Z")
                let withdrawn = try await world.contact("Oksana", "oksana@mail.test")
                let unknown = try await world.contact("Ana", "ana@mail.test", consent: "unknown")
                let bounced = try await world.contact("Gnat", "gnat@mail.test")
                let deleted = try await world.contact("Lars", "lars@mail.test")
                let fine = try await world.contact("Maryam", "maryam@mail.test")
                // given marketing mail queued while consent was granted
                let toWithdrawn = try await world.enqueue("w", to: withdrawn, at: now)
                let receipt = try await world.enqueue("receipt", to: withdrawn, kind: .transactional, at: now)
                let toUnknown = try await world.enqueue("u", to: unknown, at: now)
                let toBounced = try await world.enqueue("b", to: bounced, at: now)
                let toDeleted = try await world.enqueue("d", to: deleted, at: now)
                let toFine = try await world.enqueue("f", to: fine, at: now)
                #expect(toWithdrawn.state == .queued)
                // when, before it is sent, the contact unsubscribes, an address turns undeliverable, a contact goes
                _ = try await ConsentService(app.services).change(
                    world.principal.viewer, contactID: withdrawn.id, channel: "email", state: "withdrawn",
                    source: "form", note: "Unticked the box", actor: world.actor)
                _ = try await RecordService(app.services, schema: .contacts).update(
                    world.principal.viewer, id: bounced.id, patch: ["email_status": .string("undeliverable")],
                    expectedVersion: nil, actor: world.actor)
                try await RecordService(app.services, schema: .contacts).delete(
                    world.principal.viewer, id: deleted.id, expectedVersion: nil, actor: world.actor)
                try await world.deliver(at: now)
                // then only the contact who still consents gets the marketing message; the receipt goes
                let skipped: [(OutboxMessage, String)] = [
                    (toWithdrawn, "No email consent: the contact withdrew it."),
                    (toUnknown, "No email consent: the contact has not given it."),
                    (toBounced, "Undeliverable: the contact's email status is undeliverable."),
                    (toDeleted, "No contact: marketing mail goes only to a contact who has given email consent."),
                ]
                for (message, reason) in skipped {
                    let row = try await world.row(message.id)
                    #expect(row.state == .skipped, "\(message.subject): \(row.state)")
                    #expect(row.lastError == reason)
                }
                #expect(try await world.row(receipt.id).state == .sent)
                #expect(try await world.row(toFine.id).state == .sent)
                let received = try server.received().flatMap(\.rcptTos).sorted()
                #expect(received == ["maryam@mail.test", "oksana@mail.test"])
                #expect(
                    try server.received().first { $0.rcptTos == ["oksana@mail.test"] }?.message.value("Subject")
                        == "receipt")
                // the contact's standing says why no marketing mail goes to them
                let standing = try await FrequencyService(app.services).standing(
                    world.principal, contactID: withdrawn.id, now: now)
                #expect(standing.refusal == "No email consent: the contact withdrew it.")
                #expect(standing.transactionalSent == 1)
                #expect(standing.marketingSent == 0)
            }
        }
    }

    @Test(
        "two workers (two processes on PostgreSQL) sending to the same contacts at once never pass the cap",
        arguments: Backend.allCases)
    func race(_ backend: Backend) async throws {
        // (the server takes a moment to answer each message's final dot: a row passed by one worker is still being
        // sent while the others check the same contact)
        try await TestSMTPServer.with(["--pipelining", "--stall-data", "0.2"]) { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server, policy: .init(maxMessages: 2, windowDays: 7))
                let now = Self.at("2026-03-02T08:00:00Z")
                var contacts: [Record] = []
                for n in 0..<12 { contacts.append(try await world.contact("C\(n)", "c\(n)@mail.test")) }
                // round by round, so that each claimed batch holds many contacts and the next batch (the other
                // worker's) the same contacts again
                for round in 0..<5 {
                    for (n, contact) in contacts.enumerated() {
                        try await world.enqueue("m\(round)-c\(n)", to: contact, at: now)
                    }
                }
                let other = backend == .postgres ? try await Runtime.start(app.runtime.config) : nil
                // two workers in each process
                let workers = [
                    app.services, other?.services ?? app.services, app.services, other?.services ?? app.services,
                ]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in workers {
                        group.addTask {
                            _ = try await EmailDelivery(worker).run(
                                workspaceID: world.workspaceID, owner: RecordID.make(), now: { now })
                        }
                    }
                    try await group.waitForAll()
                }
                await other?.close()
                let perContact = Dictionary(grouping: try server.received().flatMap(\.rcptTos), by: { $0 })
                    .mapValues(\.count)
                #expect(perContact.count == 12)
                #expect(perContact.values.allSatisfy { $0 == 2 }, "\(perContact)")
                let states = try await app.runtime.store.database.raw(
                    "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state ORDER BY state"
                ).all().map {
                    "\(try $0.decode(column: "state", as: String.self)):\(try $0.decode(column: "n", as: Int.self))"
                }
                #expect(states == ["deferred:36", "sent:24"])
                let reasons = try await app.runtime.store.database.raw(
                    "SELECT DISTINCT deferred_reason FROM outbox WHERE state = 'deferred'"
                ).all().map { try $0.decode(column: "deferred_reason", as: String.self) }
                #expect(
                    reasons == ["Frequency cap: 2 messages in 7 days; next slot 2026-03-09 09:00 Europe/Copenhagen."])
            }
        }
    }
}

/// The reservation on its own, step by step: a row another worker has passed and is sending counts against the
/// contact's cap until it is finished; one that went back to waiting does not.
@Suite("Send policy: a row being sent holds its slot")
struct SendPolicyReservationTests {
    @Test(
        "a row another worker is sending counts against the cap; once it is deferred, it does not",
        arguments: Backend.allCases)
    func inFlight(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            _ = try await FrequencyService(app.services).put(principal, .init(maxMessages: 1, windowDays: 7))
            let contact = try await RecordService(app.services, schema: .contacts).create(
                principal.viewer,
                fields: [
                    "first_name": .string("Ida"), "email": .string("ida@mail.test"),
                    "email_consent": .string("subscribed"),
                ],
                actor: Actor(.user, id: seeded.owner.id))
            let now = Timestamp.micros(Timestamp.parseWithOffset("2026-03-02T08:00:00Z")!)
            for key in ["first", "second"] {
                _ = try await EmailService(app.services).enqueue(
                    .init(
                        workspaceID: seeded.workspace.id, idempotencyKey: key, kind: .marketing, contactID: contact.id,
                        toAddress: "ida@mail.test", rendered: RenderedTemplate(subject: key, html: nil, text: key)),
                    now: now)
            }
            let outbox = OutboxRepository(store: app.runtime.store)
            let check = SendPolicyCheck(services: app.services)
            // worker A claims and passes the first
            let a = try #require(
                try await outbox.claim(
                    workspaceID: seeded.workspace.id, owner: "A", now: now, staleBefore: now - 600_000_000, limit: 1
                ).first)
            #expect(a.subject == "first")
            // (a claim takes no more rows than asked, on PostgreSQL too)
            let claimed = try await app.runtime.store.database.raw(
                "SELECT COUNT(*) AS n FROM outbox WHERE state = 'sending'"
            ).first()?.decode(column: "n", as: Int.self)
            #expect(claimed == 1)
            #expect(try await check.check(a, owner: "A", now: now) == .send)
            // worker B claims the second while A is still sending: the cap is taken
            let b = try #require(
                try await outbox.claim(
                    workspaceID: seeded.workspace.id, owner: "B", now: now, staleBefore: now - 600_000_000, limit: 1
                ).first)
            #expect(b.subject == "second")
            guard case .wait(let deferral) = try await check.check(b, owner: "B", now: now) else {
                Issue.record("the second passed while the first was being sent")
                return
            }
            #expect(deferral.rules == [.frequencyCap])
            #expect(deferral.until == now + 7 * 86_400_000_000)
            // A's server defers it (a 4xx): it no longer holds the slot, and B's row may go
            let released = try await app.runtime.store.transaction { database in
                try await outbox.finish(
                    workspaceID: seeded.workspace.id, id: a.id, owner: "A",
                    .init(state: .deferred, nextAttemptAt: now + 60_000_000, lastError: "451"), on: database)
            }
            #expect(released)
            #expect(try await check.check(b, owner: "B", now: now) == .send)
            // (B now holds the slot: A's row, tried again, cannot pass)
            #expect(try await check.check(a, owner: "A", now: now) != .send)
        }
    }
}

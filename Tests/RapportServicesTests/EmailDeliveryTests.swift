import Foundation
import RapportCore
import RapportMail
import RapportMailTestSupport
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// The outbox and its delivery worker against a real SMTP server (aiosmtpd, `scripts/smtp_test_server.py`), on
/// SQLite and PostgreSQL.
@Suite("Email outbox and delivery", .timeLimit(.minutes(5)))
struct EmailDeliveryTests {
    struct World {
        let app: TestApp
        let seeded: Seeded
        var principal: Principal { Principal(user: seeded.owner, workspace: seeded.workspace) }
        var workspaceID: String { seeded.workspace.id }
        var services: Services { app.services }

        static func make(_ app: TestApp, server: TestSMTPServer) async throws -> World {
            let seeded = try await Fixtures.workspace(app)
            let world = World(app: app, seeded: seeded)
            _ = try await EmailSettingsService(app.services).put(
                world.principal,
                .init(
                    host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                    from: "news@acme.test", fromName: "Acme News", replyTo: "help@acme.test"))
            return world
        }

        /// A contact who has given email consent (marketing mail needs it at send time).
        func contact(_ first: String, _ email: String) async throws -> Record {
            try await RecordService(services, schema: .contacts).create(
                principal.viewer,
                fields: [
                    "first_name": .string(first), "email": .string(email), "email_consent": .string("subscribed"),
                ],
                actor: Actor(.user, id: seeded.owner.id))
        }

        func outgoing(_ key: String, to: String, kind: TemplateKind = .transactional, contactID: String? = nil)
            -> EmailService.Outgoing
        {
            EmailService.Outgoing(
                workspaceID: workspaceID, idempotencyKey: key, kind: kind, contactID: contactID, toAddress: to,
                rendered: RenderedTemplate(subject: "Hello \(key)", html: "<p>Hi \(key)</p>", text: "Hi \(key)"),
                unsubscribeURL: kind == .marketing
                    ? EmailService(services).unsubscribeURL(workspaceID: workspaceID, address: to) : nil)
        }

        func row(_ id: String) async throws -> OutboxMessage {
            try #require(try await OutboxRepository(store: app.runtime.store).find(workspaceID: workspaceID, id: id))
        }

        func deliver(at now: Int64 = Timestamp.micros(Date())) async throws {
            _ = try await EmailDelivery(services).run(workspaceID: workspaceID, owner: RecordID.make(), now: { now })
        }
    }

    static func configure(_ config: inout AppConfig) {
        config.publicURL = "https://crm.acme.test"
    }

    @Test("enqueuing twice with one key gives one row", arguments: Backend.allCases)
    func enqueueTwice(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let emails = EmailService(app.services)
                let (first, created) = try await emails.enqueue(world.outgoing("welcome", to: "oksana@mail.test"))
                let (second, again) = try await emails.enqueue(world.outgoing("welcome", to: "oksana@mail.test"))
                #expect(created && !again)
                #expect(first.id == second.id)
                let count = try await app.runtime.store.database.raw("SELECT COUNT(*) AS n FROM outbox").first()
                #expect(try count?.decode(column: "n", as: Int.self) == 1)
                let jobs = try await JobQueue(store: app.runtime.store).jobs(kind: EmailDelivery.kind)
                #expect(jobs.count == 1)
            }
        }
    }

    @Test(
        "delivery sends once, marks the row sent and the contact's timeline, with the right headers",
        arguments: Backend.allCases)
    func deliversOnce(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend, configure: Self.configure) { app in
                let world = try await World.make(app, server: server)
                let contact = try await world.contact("Søren", "soren@mail.test")
                let (row, _) = try await EmailService(app.services).enqueue(
                    world.outgoing("news-1", to: "soren@mail.test", kind: .marketing, contactID: contact.id))
                try await world.deliver()
                try await world.deliver()  // nothing left: nothing sent again
                let sent = try await world.row(row.id)
                #expect(sent.state == .sent)
                #expect(sent.smtpReply?.hasPrefix("250") == true)
                #expect(sent.attempts == 1)
                let received = try server.received()
                #expect(received.count == 1)
                let message = try #require(received.first).message
                #expect(received.first?.rcptTos == ["soren@mail.test"])
                #expect(message.value("Message-ID") == "<\(row.messageID)>")
                #expect(message.value("Date") != nil)
                #expect(message.value("Subject") == "Hello news-1")
                #expect(message.value("Reply-To") == "help@acme.test")
                let unsubscribe = try #require(message.value("List-Unsubscribe"))
                #expect(unsubscribe.contains("<mailto:news@acme.test?subject=unsubscribe%20"))
                #expect(unsubscribe.contains("<https://crm.acme.test/u/"))
                #expect(message.value("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
                let events = try await app.runtime.store.database.raw(
                    "SELECT type FROM events WHERE contact_id = \(bind: contact.id) AND type LIKE 'email%'"
                ).all().map { try $0.decode(column: "type", as: String.self) }
                #expect(events == ["email_sent"])
            }
        }
    }

    @Test("a 451 defers the row, and a later attempt sends it", arguments: Backend.allCases)
    func deferredThenSent(_ backend: Backend) async throws {
        try await TestSMTPServer.with(["--reject-once", "grey@mail.test=451 4.7.1 greylisted, try later"]) { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let (row, _) = try await EmailService(app.services).enqueue(world.outgoing("r", to: "grey@mail.test"))
                let now = Timestamp.micros(Date())
                try await world.deliver(at: now)
                let deferred = try await world.row(row.id)
                #expect(deferred.state == .deferred)
                #expect(deferred.smtpReply?.hasPrefix("451") == true)
                #expect(deferred.nextAttemptAt == now + 60_000_000)
                try await world.deliver(at: now + 30_000_000)  // not due yet
                #expect(try await world.row(row.id).state == .deferred)
                try await world.deliver(at: now + 61_000_000)
                let sent = try await world.row(row.id)
                #expect(sent.state == .sent)
                #expect(sent.attempts == 2)
                #expect(try server.received().count == 1)
            }
        }
    }

    @Test(
        "a 550 bounces the row, suppresses the address and marks the contact undeliverable; a later message to it is skipped",
        arguments: Backend.allCases)
    func bounced(_ backend: Backend) async throws {
        try await TestSMTPServer.with(["--reject", "gone@mail.test=550 5.1.1 no such user"]) { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let contact = try await world.contact("Гнат", "gone@mail.test")
                let (row, _) = try await EmailService(app.services).enqueue(
                    world.outgoing("a", to: "gone@mail.test", contactID: contact.id))
                try await world.deliver()
                let bounced = try await world.row(row.id)
                #expect(bounced.state == .bounced)
                #expect(bounced.smtpReply?.hasPrefix("550") == true)
                let reason = try await EmailSettingsRepository(store: app.runtime.store).suppression(
                    workspaceID: world.workspaceID, address: "GONE@mail.test")
                #expect(reason == "hard_bounce")
                let marked = try await RecordService(app.services, schema: .contacts).get(
                    world.principal.viewer, id: contact.id)
                #expect(marked.string("email_status") == "undeliverable")
                #expect(marked.version == contact.version + 1)
                let (later, _) = try await EmailService(app.services).enqueue(world.outgoing("b", to: "gone@mail.test"))
                #expect(later.state == .skipped)
                #expect(later.lastError?.contains("hard_bounce") == true)
                try await world.deliver()
                #expect(try server.received().isEmpty)
                let events = try await app.runtime.store.database.raw(
                    "SELECT type FROM events WHERE contact_id = \(bind: contact.id) AND type LIKE 'email%'"
                ).all().map { try $0.decode(column: "type", as: String.self) }
                #expect(events == ["email_bounced"])
            }
        }
    }

    @Test("a row left in sending by a worker that died is sent after the timeout", arguments: Backend.allCases)
    func stuckRowRetried(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let (row, _) = try await EmailService(app.services).enqueue(world.outgoing("s", to: "s@mail.test"))
                let now = Timestamp.micros(Date())
                let outbox = OutboxRepository(store: app.runtime.store)
                // a worker claims it and dies
                let claimed = try await outbox.claim(
                    workspaceID: world.workspaceID, owner: "dead", now: now, staleBefore: now - 600_000_000, limit: 10)
                #expect(claimed.map(\.id) == [row.id])
                try await world.deliver(at: now + 60_000_000)  // within the timeout: left alone
                #expect(try await world.row(row.id).state == .sending)
                #expect(try server.received().isEmpty)
                try await world.deliver(at: now + 601_000_000)
                let sent = try await world.row(row.id)
                #expect(sent.state == .sent)
                #expect(sent.attempts == 2)
                #expect(try server.received().count == 1)
                // the dead worker's late outcome changes nothing
                let late = try await app.runtime.store.transaction { database in
                    try await outbox.finish(
                        workspaceID: world.workspaceID, id: row.id, owner: "dead", .init(state: .deferred),
                        on: database)
                }
                #expect(!late)
            }
        }
    }

    @Test("two workers racing over 200 queued rows send each exactly once", arguments: Backend.allCases)
    func race(_ backend: Backend) async throws {
        try await TestSMTPServer.with(["--pipelining"]) { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let emails = EmailService(app.services)
                for n in 0..<200 {
                    try await emails.enqueue(world.outgoing("m\(n)", to: "r\(n)@mail.test"))
                }
                // a second process on the same database (PostgreSQL), or a second worker in this one (SQLite)
                let other = backend == .postgres ? try await Runtime.start(app.runtime.config) : nil
                let services = [app.services, other?.services ?? app.services]
                let now = Timestamp.micros(Date())
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in services {
                        group.addTask {
                            _ = try await EmailDelivery(worker).run(
                                workspaceID: world.workspaceID, owner: RecordID.make(), now: { now })
                        }
                    }
                    try await group.waitForAll()
                }
                await other?.close()
                let received = try server.received()
                #expect(received.count == 200)
                #expect(Set(received.flatMap(\.rcptTos)).count == 200)
                let states = try await app.runtime.store.database.raw(
                    "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state"
                ).all().map {
                    (try $0.decode(column: "state", as: String.self), try $0.decode(column: "n", as: Int.self))
                }
                #expect(states.count == 1 && states.first?.0 == "sent" && states.first?.1 == 200)
            }
        }
    }

    @Test("a server that keeps answering 451 makes the row fail once the attempts run out", arguments: Backend.allCases)
    func outOfAttempts(_ backend: Backend) async throws {
        try await TestSMTPServer.with(["--reject", "full@mail.test=451 4.2.2 mailbox full"]) { server in
            try await TestApp.with(backend, configure: { $0.emailMaxAttempts = 3 }) { app in
                let world = try await World.make(app, server: server)
                let (row, _) = try await EmailService(app.services).enqueue(world.outgoing("f", to: "full@mail.test"))
                let now = Timestamp.micros(Date())
                // given attempts after 1 and then 2 minutes
                try await world.deliver(at: now)
                #expect(try await world.row(row.id).state == .deferred)
                try await world.deliver(at: now + 61_000_000)
                let second = try await world.row(row.id)
                #expect(second.state == .deferred)
                #expect(second.nextAttemptAt == now + 61_000_000 + 120_000_000)
                // when the third attempt is deferred too
                try await world.deliver(at: now + 182_000_000)
                // then the row stops as failed, saying why, and nothing more is tried
                let failed = try await world.row(row.id)
                #expect(failed.state == .failed)
                #expect(failed.attempts == 3)
                #expect(failed.lastError?.hasPrefix("Out of attempts.") == true)
                #expect(failed.lastError?.contains("451 4.2.2 mailbox full") == true)
                #expect(failed.smtpReply?.hasPrefix("451") == true)
                try await world.deliver(at: now + 86_400_000_000)
                #expect(try await world.row(row.id).attempts == 3)
                #expect(try server.received().isEmpty)
                let next = try await OutboxRepository(store: app.runtime.store).nextDue(
                    workspaceID: world.workspaceID, sendingTimeout: 600_000_000)
                #expect(next == nil)
            }
        }
    }

    @Test(
        "the SMTP session stays open between delivery runs, and a change of settings opens a new one",
        arguments: Backend.allCases)
    func sessionKeptBetweenRuns(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let emails = EmailService(app.services)
                // given a message sent by one run, and another queued later and sent by the next run
                try await emails.enqueue(world.outgoing("one", to: "one@mail.test"))
                try await world.deliver()
                try await emails.enqueue(world.outgoing("two", to: "two@mail.test"))
                try await world.deliver()
                // then both came over one connection
                var received = try server.received()
                #expect(received.count == 2)
                #expect(received.map(\.connection) == [1, 1])
                // when the sender settings are saved again (a new server, a new password …)
                _ = try await EmailSettingsService(app.services).put(
                    world.principal,
                    .init(
                        host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                        from: "news@acme.test", fromName: "Acme Newsroom", replyTo: nil))
                try await emails.enqueue(world.outgoing("three", to: "three@mail.test"))
                try await world.deliver()
                // then the next message goes over a new connection made with them
                received = try server.received()
                #expect(received.map(\.connection) == [1, 1, 2])
                #expect(received.last?.message.value("From") == "Acme Newsroom <news@acme.test>")
                #expect(await app.services.smtpPools.count == 1)
            }
        }
    }

    @Test("a claim takes at most the rows it asks for, however many are due", arguments: Backend.allCases)
    func claimTakesItsLimit(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let world = try await World.make(app, server: server)
                let emails = EmailService(app.services)
                for n in 0..<300 { try await emails.enqueue(world.outgoing("c\(n)", to: "c\(n)@mail.test")) }
                // when a worker claims 32 of the 300 due rows
                let now = Timestamp.micros(Date())
                let outbox = OutboxRepository(store: app.runtime.store)
                let claimed = try await outbox.claim(
                    workspaceID: world.workspaceID, owner: "one", now: now, staleBefore: now - 600_000_000, limit: 32)
                // then it has 32, the oldest, and the other 268 wait for the next claim (or another process)
                #expect(claimed.count == 32)
                let counts = try await outbox.counts(workspaceID: world.workspaceID)
                #expect(counts[.sending] == 32 && counts[.queued] == 268, "\(counts)")
                let next = try await outbox.claim(
                    workspaceID: world.workspaceID, owner: "two", now: now, staleBefore: now - 600_000_000, limit: 32)
                #expect(next.count == 32)
                #expect(Set(next.map(\.id)).isDisjoint(with: claimed.map(\.id)))
            }
        }
    }
}

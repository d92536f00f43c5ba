import Foundation
import RapportCore
import RapportMailTestSupport
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

/// Email delivery through the installation's job runner, as `rapport serve` runs it, to a real SMTP server.
@Suite("Email delivery jobs", .timeLimit(.minutes(5)))
struct EmailDeliveryJobTests {
    /// A workspace whose sender is the test server.
    static func workspace(_ app: TestApp, server: TestSMTPServer) async throws -> Seeded {
        let seeded = try await Fixtures.workspace(app)
        _ = try await EmailSettingsService(app.services).put(
            Principal(user: seeded.owner, workspace: seeded.workspace),
            .init(
                host: "127.0.0.1", port: server.port, tls: "off", username: nil, password: nil,
                from: "news@acme.test", fromName: "Acme", replyTo: nil))
        return seeded
    }

    static func outgoing(_ seeded: Seeded, _ key: String) -> EmailService.Outgoing {
        EmailService.Outgoing(
            workspaceID: seeded.workspace.id, idempotencyKey: key, kind: .transactional, toAddress: "\(key)@mail.test",
            rendered: RenderedTemplate(subject: "Hello \(key)", html: nil, text: "Hi \(key)"))
    }

    static func state(_ app: TestApp, _ seeded: Seeded, _ id: String) async throws -> OutboxState? {
        try await OutboxRepository(store: app.runtime.store).find(workspaceID: seeded.workspace.id, id: id)?.state
    }

    @Test(
        "the runner sends a queued message, and the sweep sends one whose delivery job was lost",
        arguments: Backend.allCases)
    func runnerAndSweep(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let seeded = try await Self.workspace(app, server: server)
                let emails = EmailService(app.services)
                let queue = JobQueue(store: app.runtime.store)
                // given a queued message whose delivery job is gone (a lost job: nothing would send it)
                let (lost, _) = try await emails.enqueue(Self.outgoing(seeded, "lost"))
                let cancelled = try await app.runtime.store.transaction { database in
                    try await queue.cancel(
                        workspaceID: seeded.workspace.id, dedupKey: EmailDelivery.kind, on: database)
                }
                #expect(cancelled)
                #expect(try await queue.jobs(kind: EmailDelivery.kind).isEmpty)
                try await JobRunnerTests.running([TaskReminderTests.runner(app)]) {
                    // when the runner starts: the sweep finds the workspace's due row and schedules its delivery
                    try await JobRunnerTests.eventually("the lost message to be sent") {
                        try await Self.state(app, seeded, lost.id) == .sent
                    }
                    // and a message queued while it runs goes out through its own delivery job
                    let (fresh, _) = try await emails.enqueue(Self.outgoing(seeded, "fresh"))
                    try await JobRunnerTests.eventually("the new message to be sent") {
                        try await Self.state(app, seeded, fresh.id) == .sent
                    }
                }
                // then the server has each once
                let received = try server.received().flatMap(\.rcptTos).sorted()
                #expect(received == ["fresh@mail.test", "lost@mail.test"])
                let sweeps = try await queue.jobs(kind: EmailDelivery.sweepKind)
                #expect(sweeps.contains { $0.state == .done })
                #expect(sweeps.filter { $0.state == .queued }.count == 1)  // its next run, a minute later
            }
        }
    }
}

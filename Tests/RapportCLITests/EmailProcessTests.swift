import Foundation
import Logging
import RapportCore
import RapportDatabase
import RapportMailTestSupport
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

/// The outbox did not drain before the test's deadline.
struct OutboxNotDrained: Error, CustomStringConvertible {
    var description: String
}

/// Email delivery by real `rapport serve` processes to a real SMTP server: killed in the middle of a send and
/// started again, and two processes on one PostgreSQL.
@Suite("Email delivery across server processes", .timeLimit(.minutes(10)))
struct EmailProcessTests {
    static let quiet = Logger(label: "rapport.test") { _ in SwiftLogNoOpLogHandler() }

    /// A workspace on `url` whose sender is the SMTP server on `port`, with `count` messages queued (keys `m0` …).
    /// - Returns: the workspace's id and the rows' ids.
    static func seed(_ url: DatabaseURL, smtpPort: Int, count: Int) async throws -> (String, [String]) {
        var config = AppConfig(database: url, logger: quiet)
        config.bcryptCost = 4
        let runtime = try await Runtime.start(config)
        do {
            let (workspace, owner) = try await AccountService(runtime.services).createWorkspace(
                name: "Acme",
                owner: UserDraft(email: "owner@acme.test", name: "Owner", role: nil, password: "pw-12345678"))
            _ = try await EmailSettingsService(runtime.services).put(
                Principal(user: owner, workspace: workspace),
                .init(
                    host: "127.0.0.1", port: smtpPort, tls: "off", username: nil, password: nil,
                    from: "news@acme.test", fromName: "Acme", replyTo: nil))
            let emails = EmailService(runtime.services)
            var ids: [String] = []
            for n in 0..<count {
                let (row, _) = try await emails.enqueue(
                    EmailService.Outgoing(
                        workspaceID: workspace.id, idempotencyKey: "m\(n)", kind: .transactional,
                        toAddress: "r\(n)@mail.test",
                        rendered: RenderedTemplate(
                            subject: "Message \(n)", html: "<p>Hello \(n)</p>", text: "Hello \(n)")))
                ids.append(row.id)
            }
            await runtime.close()
            return (workspace.id, ids)
        } catch {
            await runtime.close()
            throw error
        }
    }

    /// The outbox's rows by state, read with a store of this process (the servers may be running or dead).
    static func states(_ url: DatabaseURL) async throws -> [String: [String]] {
        let store = try await Store.open(url, logger: quiet)
        do {
            let rows = try await store.database.raw("SELECT id, state FROM outbox").all()
            var states: [String: [String]] = [:]
            for row in rows {
                states[try row.decode(column: "state", as: String.self), default: []].append(
                    try row.decode(column: "id", as: String.self))
            }
            await store.close()
            return states
        } catch {
            await store.close()
            throw error
        }
    }

    /// How many times the SMTP server received each outbox row (by its `X-Rapport-Message` header).
    static func receivedByRow(_ server: TestSMTPServer) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for mail in try server.received() {
            counts[mail.message.value("X-Rapport-Message") ?? "?", default: 0] += 1
        }
        return counts
    }

    /// Files the server has stored a message in so far (cheap enough to poll).
    static func receivedCount(_ server: TestSMTPServer) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: server.directory.path)) ?? []).filter {
            $0.hasSuffix(".json")
        }.count
    }

    /// The messages a server's log says each of its delivery runs claimed, added up.
    static func claimed(in log: String) -> Int {
        log.split(separator: "\n").filter { $0.hasSuffix("email delivery run") }.compactMap { line -> Int? in
            guard let range = line.range(of: #"email\.claimed=[0-9]+"#, options: .regularExpression) else { return nil }
            return Int(line[range].dropFirst("email.claimed=".count))
        }.reduce(0, +)
    }

    /// Waits until the server has every one of `ids` at least once.
    static func waitForAll(_ ids: [String], server: TestSMTPServer, log: () -> String) async throws {
        let deadline = ContinuousClock.now + .seconds(240)
        while Set(try receivedByRow(server).keys).intersection(ids).count < ids.count {
            guard ContinuousClock.now < deadline else {
                throw OutboxNotDrained(
                    description:
                        "\(Set(try receivedByRow(server).keys).intersection(ids).count) of \(ids.count) received; log: \(log().suffix(3000))"
                )
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test(
        "rapport serve killed in the middle of a send and started again: every message arrives, a duplicate only of a row that was sending at the kill",
        arguments: Backend.allCases)
    func killAndRestart(_ backend: Backend) async throws {
        // (each message waits 50 ms before the server answers its final dot: about 80 a second over four sessions)
        try await TestSMTPServer.with(["--pipelining", "--stall-data", "0.05"]) { server in
            let (url, drop) = try await TestDB.create(backend)
            do {
                try await killAndRestart(url, server: server, backend: backend)
            } catch {
                await drop()
                throw error
            }
            await drop()
        }
    }

    func killAndRestart(_ url: DatabaseURL, server: TestSMTPServer, backend: Backend) async throws {
        // given 300 queued messages and a server process sending them
        let (_, ids) = try await Self.seed(url, smtpPort: server.port, count: 300)
        let environment = [
            "RAPPORT_LOG_LEVEL": "info", "RAPPORT_EMAIL_SENDING_TIMEOUT": "3", "RAPPORT_JOB_LEASE_SECONDS": "3",
        ]
        let database = CLITests.text(url)
        let (first, _) = try await RapportProcess.serve(database: database, environment: environment)
        // when it is killed (SIGKILL: no shutdown) once the SMTP server has some of them, not all
        let deadline = ContinuousClock.now + .seconds(120)
        while Self.receivedCount(server) < 60 {
            guard ContinuousClock.now < deadline, first.process.isRunning else {
                first.signal(SIGKILL)
                throw OutboxNotDrained(
                    description: "the first server sent too little: \(first.standardError.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        first.signal(SIGKILL)
        _ = try await first.wait()
        try await Task.sleep(for: .milliseconds(300))  // (what the SMTP server still had in hand)
        let beforeRestart = try Self.receivedByRow(server)
        let atKill = try await Self.states(url)
        let sendingAtKill = Set(atKill["sending", default: []])
        #expect(beforeRestart.count < 300, "the kill came after every message was sent")
        // and started again (rows left in `sending` are retaken after 3 s, the dead process's job after its lease)
        let (second, _) = try await RapportProcess.serve(database: database, environment: environment)
        do {
            try await Self.waitForAll(ids, server: server) { second.standardError }
        } catch {
            second.signal(SIGTERM)
            throw error
        }
        second.signal(SIGTERM)
        #expect(try await second.wait() == 0)
        // then every message arrived, each once, except possibly those that were sending at the kill
        let received = try Self.receivedByRow(server)
        #expect(Set(received.keys) == Set(ids))
        let twice = Set(received.filter { $0.value > 1 }.keys)
        #expect(
            twice.isSubset(of: sendingAtKill),
            "sent twice and not sending at the kill: \(twice.subtracting(sendingAtKill))")
        #expect(received.values.allSatisfy { $0 <= 2 })
        // and every row is marked sent
        let after = try await Self.states(url)
        #expect(after["sent", default: []].count == 300, "\(after.mapValues(\.count))")
        print(
            "kill and restart (\(backend)): \(beforeRestart.count) of 300 received before the kill, \(sendingAtKill.count) rows sending at the kill, \(twice.count) received twice"
        )
    }

    @Test("two rapport serve processes on one PostgreSQL send one workspace's 500 messages, each exactly once")
    func twoProcesses() async throws {
        try await TestSMTPServer.with(["--pipelining", "--stall-data", "0.03"]) { server in
            let (url, drop) = try await TestDB.create(.postgres)
            do {
                try await twoProcesses(url, server: server)
            } catch {
                await drop()
                throw error
            }
            await drop()
        }
    }

    func twoProcesses(_ url: DatabaseURL, server: TestSMTPServer) async throws {
        // given 500 queued messages of one workspace, and two server processes on the database, whose job leases
        // are short (1 s) so that each takes the workspace's delivery job over from the other while it still runs:
        // both send the workspace's rows at the same time
        let (_, ids) = try await Self.seed(url, smtpPort: server.port, count: 500)
        let environment = ["RAPPORT_LOG_LEVEL": "info", "RAPPORT_JOB_LEASE_SECONDS": "1"]
        let database = CLITests.text(url)
        let (one, _) = try await RapportProcess.serve(database: database, environment: environment)
        let (two, _) = try await RapportProcess.serve(database: database, environment: environment)
        do {
            // when they have sent them all
            try await Self.waitForAll(ids, server: server) { one.standardError + two.standardError }
            try await Task.sleep(for: .milliseconds(500))  // (any late duplicate would arrive by now)
        } catch {
            one.signal(SIGTERM)
            two.signal(SIGTERM)
            throw error
        }
        one.signal(SIGTERM)
        two.signal(SIGTERM)
        #expect(try await one.wait() == 0)
        #expect(try await two.wait() == 0)
        // then the SMTP server has each message exactly once, every row is sent, and both processes sent some
        let received = try Self.receivedByRow(server)
        #expect(Set(received.keys) == Set(ids))
        #expect(received.values.allSatisfy { $0 == 1 }, "\(received.filter { $0.value > 1 })")
        let states = try await Self.states(url)
        #expect(states["sent", default: []].count == 500, "\(states.mapValues(\.count))")
        let byOne = Self.claimed(in: one.standardError)
        let byTwo = Self.claimed(in: two.standardError)
        #expect(byOne + byTwo == 500)
        #expect(byOne > 0 && byTwo > 0, "one claimed \(byOne), two claimed \(byTwo)")
        print("two processes on PostgreSQL: one sent \(byOne), the other \(byTwo), of 500; none twice")
    }
}

import Foundation
import RapportMail
import RapportMailTestSupport
import Testing

/// The SMTP client against real servers: aiosmtpd (scripts/smtp_test_server.py) started by each test on a free
/// port, with what it received read back through Python's `email` package.
@Suite("SMTP client against a real server")
struct SMTPClientTests {
    static func message(_ n: Int = 1, to: String = "oksana@example.test") -> MailMessage {
        MailMessage(
            from: MailAddress("news@rapport.test", name: "Rapport"), to: [MailAddress(to)],
            subject: "Message \(n)", text: "Hello number \(n)")
    }

    @Test("a multilingual message arrives with headers and bodies that decode exactly")
    func multilingualMessage() async throws {
        try await TestSMTPServer.with { server in
            // given a message with Persian, Ukrainian and Danish names, a long Persian subject and dotted lines
            var message = MailMessageTests.sample()
            message.cc = [MailAddress("lars@example.test", name: "Ærø Æbleskiver på søndag")]
            let connection = try await SMTPClient.connect(server.settings())
            // when it is sent
            let report = try await connection.deliver(message)
            await connection.close()
            // then the server accepted it, for both recipients, from the From address
            guard case .accepted(let reply) = report.result else {
                Issue.record("not accepted: \(report)")
                return
            }
            #expect(reply.code == 250)
            let received = try #require(try server.received().first)
            #expect(received.mailFrom == "news@rapport.test")
            #expect(received.rcptTos == ["oksana@example.test", "lars@example.test"])
            #expect(received.helo == "client.rapport.test")
            #expect(received.extendedSmtp)
            #expect(!received.tls)
            // and Python's email package reads back every header and part exactly, without a defect
            let parsed = received.message
            #expect(parsed.defects == [])
            #expect(parsed.value("Subject") == MailMessageTests.longPersianSubject)
            #expect(parsed.addresses["from"]! == [["سلام دنیا", "news@rapport.test"]])
            #expect(parsed.addresses["to"]! == [["Привіт, світе", "oksana@example.test"]])
            #expect(parsed.addresses["cc"]! == [["Ærø Æbleskiver på søndag", "lars@example.test"]])
            #expect(parsed.addresses["reply-to"]! == [["Ærø Æbleskiver på søndag", "hej@example.test"]])
            #expect(parsed.value("Date") == "Tue, 03 Mar 2026 14:03:09 +0000")
            #expect(parsed.value("Message-ID")?.hasSuffix("@rapport.test>") == true)
            #expect(parsed.value("MIME-Version") == "1.0")
            #expect(
                parsed.value("List-Unsubscribe")
                    == "<mailto:unsubscribe+t0k3n@rapport.test>, <https://crm.rapport.test/u/t0k3n>")
            #expect(parsed.value("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            #expect(parsed.value("X-Rapport-Campaign") == "c-42")
            #expect(parsed.contentType == "multipart/alternative")
            #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
            #expect(parsed.parts.map(\.charset) == ["utf-8", "utf-8"])
            // the lines that begin with a dot (one of them a lone dot) survive dot-stuffing
            #expect(parsed.parts[0].text == "Hello\r\n.\r\n..two dots\r\n.hidden\r\nlast line   ")
            #expect(parsed.parts[1].text == "<p>Ærø Æbleskiver på søndag</p>")
            // and on the wire it was 7-bit, CRLF only, no line over 78 octets
            #expect(parsed.asciiOnly)
            #expect(parsed.bareLineFeeds == 0)
            #expect(parsed.longestLine <= 78)
        }
    }

    @Test("a Persian HTML body goes as base64 and decodes exactly; a subject with line breaks stays one header")
    func persianBodyAndInjection() async throws {
        try await TestSMTPServer.with { server in
            var message = MailMessage(
                from: MailAddress("news@rapport.test"), to: [MailAddress("mahsa@example.test", name: "مهسا احمدی")],
                subject: "Hello\r\nBcc: victim@example.test",
                html: "<p>سلام دنیا</p>\n<p>\(MailMessageTests.longPersianSubject)</p>")
            message.headers = [MailHeader("X-Note", "one\r\nX-Injected: yes")]
            let connection = try await SMTPClient.connect(server.settings())
            let result = try await connection.send(message)
            await connection.close()
            #expect(result.isAccepted)
            let parsed = try #require(try server.received().first).message
            #expect(parsed.parts.first?.transferEncoding == "base64")
            #expect(parsed.parts.first?.text == "<p>سلام دنیا</p>\r\n<p>\(MailMessageTests.longPersianSubject)</p>")
            #expect(parsed.values("Bcc") == [])
            #expect(parsed.values("X-Injected") == [])
            #expect(parsed.value("Subject") == "Hello Bcc: victim@example.test")
            #expect(parsed.value("X-Note") == "one X-Injected: yes")
            #expect(parsed.addresses["to"]! == [["مهسا احمدی", "mahsa@example.test"]])
        }
    }

    @Test("an envelope address with a line break is refused before anything is sent, and the session goes on")
    func envelopeInjection() async throws {
        try await TestSMTPServer.with { server in
            let connection = try await SMTPClient.connect(server.settings())
            let error = await smtpError {
                _ = try await connection.send(Self.message(), to: ["b@example.test>\r\nRCPT TO:<c@example.test"])
            }
            #expect(error?.kind == .invalidMessage)
            #expect(try await connection.send(Self.message()).isAccepted)
            await connection.close()
            #expect(try server.received().map(\.rcptTos) == [["oksana@example.test"]])
        }
    }

    @Test("STARTTLS with the test CA trusted encrypts the session")
    func startTLSTrusted() async throws {
        try await withTemporaryDirectory { dir in
            let certificates = try TestCertificates.make(in: dir)
            try await TestSMTPServer.with(certificates.serverOptions + ["--require-starttls"]) { server in
                var settings = server.settings(tls: .startTLS)
                settings.trustedCAPEM = [certificates.caPEM]
                let connection = try await SMTPClient.connect(settings)
                #expect(await connection.isEncrypted)
                #expect(await !connection.extensions.startTLS)
                #expect(try await connection.send(Self.message()).isAccepted)
                await connection.close()
                #expect(try server.received().first?.tls == true)
            }
        }
    }

    @Test("STARTTLS with the name checked against the certificate's DNS entry (localhost) succeeds")
    func startTLSByName() async throws {
        try await withTemporaryDirectory { dir in
            let certificates = try TestCertificates.make(in: dir, ipAddress: false)
            try await TestSMTPServer.with(certificates.serverOptions) { server in
                var settings = server.settings(tls: .opportunistic)
                settings.trustedCAPEM = [certificates.caPEM]
                settings.tlsServerName = "localhost"
                let connection = try await SMTPClient.connect(settings)
                #expect(await connection.isEncrypted)
                #expect(try await connection.send(Self.message()).isAccepted)
                await connection.close()
            }
        }
    }

    @Test("STARTTLS with the CA not trusted is refused with a certificate verification error")
    func startTLSUntrusted() async throws {
        try await withTemporaryDirectory { dir in
            let certificates = try TestCertificates.make(in: dir)
            try await TestSMTPServer.with(certificates.serverOptions) { server in
                let error = await smtpError { _ = try await SMTPClient.connect(server.settings(tls: .startTLS)) }
                #expect(error?.kind == .certificateVerificationFailed)
                #expect(error?.stage == "TLS handshake")
                #expect(error?.description.contains("CERTIFICATE_VERIFY_FAILED") == true)
                #expect(error?.isTransient == false)
                let received = try server.received()
                #expect(received.isEmpty)
            }
        }
    }

    @Test("a trusted certificate for another name is refused")
    func startTLSWrongName() async throws {
        try await withTemporaryDirectory { dir in
            let certificates = try TestCertificates.make(in: dir, ipAddress: false)
            try await TestSMTPServer.with(certificates.serverOptions) { server in
                var settings = server.settings(tls: .startTLS)
                settings.trustedCAPEM = [certificates.caPEM]
                settings.tlsServerName = "mail.elsewhere.test"
                let error = await smtpError { _ = try await SMTPClient.connect(settings) }
                #expect(error?.kind == .certificateVerificationFailed)
            }
        }
    }

    @Test("required STARTTLS fails on a server that does not offer it; opportunistic goes on in plain text")
    func startTLSNotOffered() async throws {
        try await TestSMTPServer.with { server in
            let error = await smtpError { _ = try await SMTPClient.connect(server.settings(tls: .startTLS)) }
            #expect(error?.kind == .startTLSUnavailable)
            let connection = try await SMTPClient.connect(server.settings(tls: .opportunistic))
            #expect(await !connection.isEncrypted)
            #expect(try await connection.send(Self.message()).isAccepted)
            await connection.close()
        }
    }

    @Test("implicit TLS speaks TLS from the first byte")
    func implicitTLS() async throws {
        try await withTemporaryDirectory { dir in
            let certificates = try TestCertificates.make(in: dir)
            try await TestSMTPServer.with(certificates.serverOptions + ["--implicit-tls", "--auth", "ana:s3cret-pass"])
            {
                server in
                var settings = server.settings(tls: .implicit)
                settings.trustedCAPEM = [certificates.caPEM]
                settings.username = "ana"
                settings.password = "s3cret-pass"
                let connection = try await SMTPClient.connect(settings)
                #expect(await connection.isEncrypted)
                #expect(await connection.isAuthenticated)
                #expect(try await connection.send(Self.message()).isAccepted)
                await connection.close()
                let received = try #require(try server.received().first)
                #expect(received.tls)
                #expect(received.user == "ana")

                // and without the CA, the handshake is refused
                settings.trustedCAPEM = []
                let error = await smtpError { _ = try await SMTPClient.connect(settings) }
                #expect(error?.kind == .certificateVerificationFailed)
            }
        }
    }

    @Test("AUTH PLAIN after STARTTLS logs in; a wrong password is a clear error that does not show it")
    func authPlain() async throws {
        try await withTemporaryDirectory { dir in
            let certificates = try TestCertificates.make(in: dir)
            try await TestSMTPServer.with(certificates.serverOptions + ["--auth", "ana:s3cret-pass"]) { server in
                var settings = server.settings(tls: .startTLS)
                settings.trustedCAPEM = [certificates.caPEM]
                settings.username = "ana"
                settings.password = "s3cret-pass"
                let connection = try await SMTPClient.connect(settings)
                #expect(await connection.isAuthenticated)
                #expect(try await connection.send(Self.message()).isAccepted)
                await connection.close()
                #expect(try server.received().first?.user == "ana")

                settings.password = "wrong-password"
                let error = await smtpError { _ = try await SMTPClient.connect(settings) }
                #expect(error?.kind == .authenticationFailed)
                #expect(error?.stage == "AUTH PLAIN")
                #expect(error?.reply?.code == 535)
                let text = "\(String(describing: error)) \(String(reflecting: error))"
                #expect(!text.contains("wrong-password"))
                #expect(!text.contains(Data("\0ana\0wrong-password".utf8).base64EncodedString()))
            }
        }
    }

    @Test("AUTH LOGIN in plain text only when the caller allows it")
    func authLoginPlaintext() async throws {
        try await TestSMTPServer.with(["--auth", "ana:s3cret-pass", "--auth-plaintext"]) { server in
            var settings = server.settings(tls: .off)
            settings.username = "ana"
            settings.password = "s3cret-pass"
            settings.authMechanisms = [.login]
            // not allowed: refused before the credentials are sent
            let refused = await smtpError { _ = try await SMTPClient.connect(settings) }
            #expect(refused?.kind == .authenticationUnavailable)
            // allowed
            settings.allowPlaintextAuth = true
            let connection = try await SMTPClient.connect(settings)
            #expect(await connection.isAuthenticated)
            #expect(try await connection.send(Self.message()).isAccepted)
            await connection.close()
            #expect(try server.received().first?.user == "ana")
            // a wrong password through LOGIN
            settings.password = "nope"
            let error = await smtpError { _ = try await SMTPClient.connect(settings) }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.stage == "AUTH LOGIN")
        }
    }

    @Test("451 and 550 for a recipient are temporary and permanent failures, and the session carries on")
    func recipientRefusals() async throws {
        try await TestSMTPServer.with([
            "--reject", "later@example.test=451 4.3.0 mailbox busy, try later",
            "--reject", "gone@example.test=550 5.1.1 no such user",
        ]) { server in
            let connection = try await SMTPClient.connect(server.settings())
            #expect(
                try await connection.send(Self.message(1, to: "later@example.test"))
                    == .temporaryFailure(code: 451, text: "4.3.0 mailbox busy, try later"))
            #expect(
                try await connection.send(Self.message(2, to: "gone@example.test"))
                    == .permanentFailure(code: 550, text: "5.1.1 no such user"))
            // some recipients refused: the message goes to the others, and the report names the refused
            let report = try await connection.deliver(
                Self.message(3), to: ["gone@example.test", "ok@example.test", "later@example.test"])
            #expect(report.result.isAccepted)
            #expect(
                report.refusedRecipients == [
                    "gone@example.test": .permanentFailure(code: 550, text: "5.1.1 no such user"),
                    "later@example.test": .temporaryFailure(code: 451, text: "4.3.0 mailbox busy, try later"),
                ])
            #expect(try await connection.send(Self.message(4)).isAccepted)
            await connection.close()
            let received = try server.received()
            #expect(received.map(\.rcptTos) == [["ok@example.test"], ["oksana@example.test"]])
            #expect(received.map { $0.message.value("Subject") } == ["Message 3", "Message 4"])
        }
    }

    @Test("with PIPELINING offered, MAIL, RCPT and DATA go in one round trip, refusals included")
    func pipelining() async throws {
        try await TestSMTPServer.with(["--pipelining", "--reject", "gone@example.test=550 5.1.1 no such user"]) {
            server in
            let connection = try await SMTPClient.connect(server.settings())
            #expect(await connection.extensions.pipelining)
            let report = try await connection.deliver(Self.message(1))
            #expect(report.pipelined)
            #expect(report.result.isAccepted)
            #expect(
                try await connection.send(Self.message(2, to: "gone@example.test"))
                    == .permanentFailure(code: 550, text: "5.1.1 no such user"))
            // the refused transaction is reset (RSET goes in the next group) before the next message
            #expect(try await connection.send(Self.message(3)).isAccepted)
            await connection.close()
            let received = try server.received()
            #expect(received.map(\.pipelined) == [true, true])
            #expect(received.map { $0.message.value("Subject") } == ["Message 1", "Message 3"])
        }
    }

    @Test("without PIPELINING, each command waits for its reply")
    func noPipelining() async throws {
        try await TestSMTPServer.with { server in
            let connection = try await SMTPClient.connect(server.settings())
            #expect(await !connection.extensions.pipelining)
            #expect(await connection.extensions.eightBitMIME)
            #expect(await connection.extensions.maximumSize == 33_554_432)
            let report = try await connection.deliver(Self.message())
            #expect(!report.pipelined)
            await connection.close()
            let received = try #require(try server.received().first)
            #expect(!received.pipelined)
            #expect(received.mailOptions.first?.hasPrefix("SIZE=") == true)
        }
    }

    @Test("a server that refuses EHLO is spoken to with HELO")
    func heloFallback() async throws {
        try await TestSMTPServer.with(["--no-ehlo"]) { server in
            let connection = try await SMTPClient.connect(server.settings())
            #expect(await connection.extensions == SMTPExtensions())
            #expect(try await connection.send(Self.message()).isAccepted)
            await connection.close()
            let received = try #require(try server.received().first)
            #expect(!received.extendedSmtp)
            #expect(received.helo == "client.rapport.test")
        }
    }

    @Test("fifty messages over one connection all arrive, in order")
    func manyOverOneConnection() async throws {
        try await TestSMTPServer.with { server in
            let connection = try await SMTPClient.connect(server.settings())
            for n in 1...50 {
                #expect(try await connection.send(Self.message(n)).isAccepted)
            }
            await connection.close()
            #expect(try server.received().map { $0.message.value("Subject") } == (1...50).map { "Message \($0)" })
        }
    }

    @Test("a pool of four sends eighty messages at once on at most four connections")
    func pool() async throws {
        try await TestSMTPServer.with(["--pipelining"]) { server in
            let pool = SMTPConnectionPool(settings: server.settings(), size: 4)
            let results = try await withThrowingTaskGroup(of: SMTPDeliveryResult.self) { group in
                for n in 1...80 { group.addTask { try await pool.send(Self.message(n)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 80)
            #expect(results.allSatisfy { $0.isAccepted })
            #expect(await pool.connectionsOpened <= 4)
            #expect(await pool.connectionsOpened >= 1)
            await pool.close()
            let subjects = Set(try server.received().compactMap { $0.message.value("Subject") })
            #expect(subjects == Set((1...80).map { "Message \($0)" }))
        }
    }

    @Test("a pool replaces a connection the server dropped while it was idle")
    func poolReconnects() async throws {
        try await TestSMTPServer.with(["--idle-timeout", "2"]) { server in
            let pool = SMTPConnectionPool(settings: server.settings(), size: 2)
            #expect(try await pool.send(Self.message(1)).isAccepted)
            // (well past the server's 2 s: a busy machine runs its timer late)
            try await Task.sleep(for: .seconds(5))
            #expect(try await pool.send(Self.message(2)).isAccepted)
            #expect(await pool.connectionsOpened == 2)
            await pool.close()
            #expect(try server.received().count == 2)
        }
    }

    @Test("a connection the server dropped says so instead of sending")
    func droppedConnection() async throws {
        try await TestSMTPServer.with(["--idle-timeout", "2"]) { server in
            let connection = try await SMTPClient.connect(server.settings())
            try await Task.sleep(for: .seconds(5))
            #expect(await !connection.isOpen)
            let error = await smtpError { _ = try await connection.send(Self.message()) }
            #expect(error?.kind == .closed || error?.kind == .connectionClosed)
            #expect(error?.isTransient == true)
            await connection.close()
        }
    }

    @Test("a refused connection and a silent server are told apart")
    func connectFailures() async throws {
        // a port nobody listens on: take one from a server, then stop it
        let port = try await TestSMTPServer.with { $0.port }
        let refused = await smtpError {
            _ = try await SMTPClient.connect(SMTPSettings(host: "127.0.0.1", port: port, tls: .off))
        }
        #expect(refused?.kind == .connectFailed)
        #expect(refused?.description.contains("connection refused") == true)

        try await TestSMTPServer.with(["--silent"]) { server in
            var settings = server.settings()
            settings.commandTimeout = .milliseconds(300)
            let started = ContinuousClock.now
            let error = await smtpError { _ = try await SMTPClient.connect(settings) }
            #expect(error?.kind == .timeout)
            #expect(error?.stage == "greeting")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a server that sends plain text after STARTTLS's 220 is refused before the handshake")
    func startTLSInjection() async throws {
        try await TestSMTPServer.with(["--starttls-inject"]) { server in
            let error = await smtpError { _ = try await SMTPClient.connect(server.settings(tls: .startTLS)) }
            #expect(error?.kind == .protocolViolation)
            #expect(error?.stage == "STARTTLS")
        }
    }

    @Test("a 421 closes the session; a pool sends the message again on a new one")
    func closingReply() async throws {
        try await TestSMTPServer.with(["--close-first-mail"]) { server in
            let connection = try await SMTPClient.connect(server.settings())
            let error = await smtpError { _ = try await connection.send(Self.message(1)) }
            #expect(error?.kind == .connectionClosed)
            #expect(error?.reply?.code == 421)
            #expect(error?.isTransient == true)
            #expect(error?.mayHaveBeenDelivered == false)
            #expect(await !connection.isOpen)
            await connection.close()
        }
        try await TestSMTPServer.with(["--close-first-mail"]) { server in
            let pool = SMTPConnectionPool(settings: server.settings(), size: 1)
            let result = try await pool.send(Self.message(2))
            #expect(result.isAccepted)
            #expect(await pool.connectionsOpened == 2)
            await pool.close()
            let subjects = try server.received().map { $0.message.value("Subject") }
            #expect(subjects == ["Message 2"])
        }
    }

    @Test("no reply after the final dot is a timeout that may have delivered, and a pool does not send it again")
    func timeoutAfterData() async throws {
        try await TestSMTPServer.with(["--stall-data", "1.5"]) { server in
            var settings = server.settings()
            settings.dataTimeout = .milliseconds(300)
            let pool = SMTPConnectionPool(settings: settings, size: 2)
            let error = await smtpError { _ = try await pool.send(Self.message(1)) }
            #expect(error?.kind == .timeout)
            #expect(error?.stage == "end of data")
            #expect(error?.mayHaveBeenDelivered == true)
            // no second session was opened to send it again
            #expect(await pool.connectionsOpened == 1)
            await pool.close()
        }
    }

    @Test("settings never show the password")
    func settingsHidePassword() {
        var settings = SMTPSettings(
            host: "smtp.example.test", tls: .startTLS, username: "ana", password: "hunter2-secret")
        settings.trustedCAPEM = ["-----BEGIN CERTIFICATE-----"]
        #expect(settings.port == 587)
        #expect(SMTPSettings(host: "h", tls: .implicit).port == 465)
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [
            "\(settings)", String(reflecting: settings), dumped,
            "\(Mirror(reflecting: settings).children.map(\.value))",
        ] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect("\(settings)" == "smtp://ana@smtp.example.test:587 (tls: startTLS password: <redacted>)")
    }
}

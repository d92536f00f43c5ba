package import Foundation
import NIOCore
import NIOSSL

/// One SMTP session, reused for any number of messages. Sends one message at a time (concurrent callers take
/// turns); use ``SMTPConnectionPool`` to send on several sessions at once.
///
/// A server's answer about a message is a ``SMTPDeliveryResult``; only a broken session (a timeout, a dropped
/// connection, a reply out of step) throws, after which the connection is closed and ``isOpen`` is false.
package actor SMTPConnection {
    package nonisolated let settings: SMTPSettings
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPChannelHandler>
    private let tlsContext: NIOSSLContext?
    private let serverName: String?
    /// The server's greeting.
    package private(set) var greeting: SMTPReply?
    /// What the server offered in its last EHLO (empty after HELO).
    package private(set) var extensions = SMTPExtensions()
    /// Whether the session runs over TLS (implicit or after STARTTLS).
    package private(set) var isEncrypted = false
    /// Whether AUTH succeeded.
    package private(set) var isAuthenticated = false
    /// A transaction was started and not finished: RSET goes first next time.
    private var needsReset = false
    private var closedByUs = false
    private var busy = false
    private var turns: [CheckedContinuation<Void, Never>] = []

    init(
        channel: any Channel, handler: NIOLoopBound<SMTPChannelHandler>, settings: SMTPSettings,
        tlsContext: NIOSSLContext?, serverName: String?
    ) {
        self.channel = channel
        self.handler = handler
        self.settings = settings
        self.tlsContext = tlsContext
        self.serverName = serverName
        self.isEncrypted = settings.tls == .implicit
    }

    /// Whether the session can still send: not closed by either side.
    package var isOpen: Bool { !closedByUs && channel.isActive }

    // MARK: - Sending

    /// Renders and sends a message.
    /// - Parameters:
    ///   - envelopeFrom: the return path (MAIL FROM), where bounces go; the From address when nil. `""` sends
    ///     the null return path.
    ///   - to: the envelope recipients (RCPT TO); the message's To and Cc addresses when nil.
    /// - Returns: what the server said about the message.
    /// - Throws: ``SMTPError`` when the session fails, or with kind `invalidMessage` (nothing sent, the
    ///   connection still usable) when the message cannot be rendered or an envelope address is invalid.
    package func send(
        _ message: MailMessage, envelopeFrom: String? = nil, to: [String]? = nil, now: Date = Date()
    ) async throws(SMTPError) -> SMTPDeliveryResult {
        try await deliver(message, envelopeFrom: envelopeFrom, to: to, now: now).result
    }

    /// Sends a message rendered beforehand (``MailMessage/render(now:)``).
    package func send(_ mail: RenderedMail, envelopeFrom: String, to: [String]) async throws(SMTPError)
        -> SMTPDeliveryResult
    {
        try await deliver(mail, envelopeFrom: envelopeFrom, to: to).result
    }

    /// ``send(_:envelopeFrom:to:now:)`` with the full report: refused recipients, and whether it was pipelined.
    package func deliver(
        _ message: MailMessage, envelopeFrom: String? = nil, to: [String]? = nil, now: Date = Date()
    ) async throws(SMTPError) -> SMTPDeliveryReport {
        let mail: RenderedMail
        do {
            mail = try message.render(now: now)
        } catch {
            throw SMTPError(.invalidMessage, stage: "render", "\(error)")
        }
        return try await deliver(
            mail, envelopeFrom: envelopeFrom ?? message.from.address,
            to: to ?? (message.to + message.cc).map(\.address))
    }

    /// ``send(_:envelopeFrom:to:)`` with the full report.
    package func deliver(_ mail: RenderedMail, envelopeFrom: String, to recipients: [String]) async throws(SMTPError)
        -> SMTPDeliveryReport
    {
        do {
            if !envelopeFrom.isEmpty { try MailAddress.validate(envelopeFrom) }
            for recipient in recipients { try MailAddress.validate(recipient) }
        } catch {
            throw SMTPError(.invalidMessage, stage: "envelope", "\(error)")
        }
        guard !recipients.isEmpty else { throw SMTPError(.invalidMessage, stage: "envelope", "no recipients") }
        await takeTurn()
        defer { endTurn() }
        guard isOpen else { throw SMTPError(.closed, stage: "MAIL FROM", "the connection is closed") }
        return try await transaction(mail, from: envelopeFrom, to: recipients)
    }

    private func transaction(_ mail: RenderedMail, from: String, to recipients: [String]) async throws(SMTPError)
        -> SMTPDeliveryReport
    {
        var mailCommand = "MAIL FROM:<\(from)>"
        if extensions.size { mailCommand += " SIZE=\(mail.bytes.count)" }
        if extensions.eightBitMIME && mail.bytes.contains(where: { $0 >= 0x80 }) { mailCommand += " BODY=8BITMIME" }
        let rcptCommands = recipients.map { "RCPT TO:<\($0)>" }
        let reset = needsReset
        needsReset = true

        let mailReply: SMTPReply
        var rcptReplies: [SMTPReply] = []
        var dataReply: SMTPReply?
        let pipelined = extensions.pipelining
        if pipelined {
            // RFC 2920: RSET, MAIL and RCPT may go in one group, DATA last
            var commands = reset ? ["RSET"] : []
            commands += [mailCommand] + rcptCommands + ["DATA"]
            var stages = reset ? ["RSET"] : []
            stages += ["MAIL FROM"] + rcptCommands.map { _ in "RCPT TO" } + ["DATA"]
            var replies = try await exchange(commands, stages: stages, timeout: settings.commandTimeout)
            for (reply, stage) in zip(replies, stages) { try checkClosing(reply, stage: stage) }
            if reset { try expect(250, replies.removeFirst(), stage: "RSET") }
            mailReply = replies.removeFirst()
            dataReply = replies.removeLast()
            rcptReplies = replies
        } else {
            if reset { try expect(250, try await command("RSET", stage: "RSET"), stage: "RSET") }
            mailReply = try await command(mailCommand, stage: "MAIL FROM")
            try checkClosing(mailReply, stage: "MAIL FROM")
            if mailReply.isPositive {
                for command in rcptCommands {
                    let reply = try await self.command(command, stage: "RCPT TO")
                    try checkClosing(reply, stage: "RCPT TO")
                    rcptReplies.append(reply)
                }
            }
        }

        var refused: [String: SMTPDeliveryResult] = [:]
        for (recipient, reply) in zip(recipients, rcptReplies) where !reply.isPositive {
            refused[recipient] = SMTPDeliveryResult(failure: reply)
        }
        let acceptedCount = rcptReplies.filter(\.isPositive).count
        func report(_ result: SMTPDeliveryResult) -> SMTPDeliveryReport {
            SMTPDeliveryReport(result: result, refusedRecipients: refused, pipelined: pipelined)
        }

        guard mailReply.isPositive, acceptedCount > 0 else {
            if dataReply?.code == 354 {
                // a server that said 354 with no recipient is owed an empty message (RFC 2920 §3.1)
                _ = try await exchange(
                    [], payload: Self.endOfData, stages: ["end of data"], timeout: settings.dataTimeout)
            }
            let failure = mailReply.isPositive ? Self.mostHopeful(rcptReplies) : mailReply
            return report(SMTPDeliveryResult(failure: failure))
        }
        let data: SMTPReply
        if let dataReply {
            data = dataReply
        } else {
            data = try await command("DATA", stage: "DATA")
            try checkClosing(data, stage: "DATA")
        }
        guard data.code == 354 else { return report(SMTPDeliveryResult(failure: data)) }

        let final: SMTPReply
        do throws(SMTPError) {
            final = try await exchange(
                [], payload: Self.dotStuffed(mail.bytes), stages: ["end of data"], timeout: settings.dataTimeout
            )[0]
        } catch {
            var error = error
            error.mayHaveBeenDelivered = true
            throw error
        }
        // after the final dot the transaction is over, whatever the reply
        needsReset = false
        return report(final.isPositive ? .accepted(final) : SMTPDeliveryResult(failure: final))
    }

    /// The reply to report when every recipient was refused: a 4xx when there is one (worth trying later).
    private static func mostHopeful(_ replies: [SMTPReply]) -> SMTPReply {
        replies.first(where: \.isTransient) ?? replies.first ?? SMTPReply(code: 554, lines: ["no valid recipients"])
    }

    /// 421 says the server is closing the session (RFC 5321 §3.8), whatever the command: it is about the session,
    /// not the message, which may go again on another one.
    private func checkClosing(_ reply: SMTPReply, stage: String) throws(SMTPError) {
        guard reply.code == 421 else { return }
        abort()
        throw SMTPError(.connectionClosed, stage: stage, "the server is closing the session", reply: reply)
    }

    private func expect(_ code: Int, _ reply: SMTPReply, stage: String) throws(SMTPError) {
        guard reply.code == code else {
            abort()
            throw SMTPError(.unexpectedReply, stage: stage, "expected \(code)", reply: reply)
        }
    }

    // MARK: - Closing

    /// Says QUIT (waiting at most the command timeout for the answer) and closes the connection.
    package func close() async {
        await takeTurn()
        defer { endTurn() }
        guard !closedByUs else { return }
        if channel.isActive {
            _ = try? await command("QUIT", stage: "QUIT")
        }
        abort()
    }

    /// Closes the connection without QUIT.
    func abort() {
        closedByUs = true
        channel.close(promise: nil)
    }

    // MARK: - Session set-up

    /// Greeting, EHLO, TLS and AUTH as the settings say.
    func open() async throws(SMTPError) {
        let greeting = try await exchange([], stages: ["greeting"], timeout: settings.commandTimeout)[0]
        self.greeting = greeting
        guard greeting.code == 220 else {
            throw SMTPError(.unexpectedReply, stage: "greeting", "the server did not greet with 220", reply: greeting)
        }
        try await hello()
        switch settings.tls {
        case .startTLS:
            guard extensions.startTLS else {
                throw SMTPError(
                    .startTLSUnavailable, stage: "EHLO", "TLS is required and the server does not offer STARTTLS")
            }
            try await startTLS(required: true)
        case .opportunistic:
            if extensions.startTLS { try await startTLS(required: false) }
        case .implicit, .off:
            break
        }
        if let username = settings.username {
            try await authenticate(username: username, password: settings.password ?? "")
        }
    }

    private func hello() async throws(SMTPError) {
        let name = try heloName()
        let ehlo = try await command("EHLO \(name)", stage: "EHLO")
        if ehlo.code == 250 {
            extensions = SMTPExtensions(ehlo: ehlo)
            return
        }
        guard ehlo.isPermanent else {
            throw SMTPError(.unexpectedReply, stage: "EHLO", "EHLO was refused", reply: ehlo)
        }
        let helo = try await command("HELO \(name)", stage: "HELO")
        guard helo.code == 250 else {
            throw SMTPError(.unexpectedReply, stage: "HELO", "EHLO and HELO were refused", reply: helo)
        }
        extensions = SMTPExtensions()
    }

    private func heloName() throws(SMTPError) -> String {
        func valid(_ name: String) -> Bool {
            !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        }
        if let name = settings.heloName {
            guard valid(name) else {
                throw SMTPError(
                    .invalidSettings, stage: "EHLO", "the HELO name \(name.debugDescription) is not a host name")
            }
            return name
        }
        let host = ProcessInfo.processInfo.hostName
        if host.contains("."), valid(host), host != "localhost.localdomain" { return host }
        // no fully qualified name: an address literal (RFC 5321 §4.1.4)
        switch channel.localAddress {
        case .v4(let address)?: return "[\(address.host)]"
        case .v6(let address)?: return "[IPv6:\(address.host)]"
        default: return "localhost"
        }
    }

    private func startTLS(required: Bool) async throws(SMTPError) {
        guard let tlsContext else { throw SMTPError(.invalidSettings, stage: "STARTTLS", "no TLS context") }
        let reply = try await command("STARTTLS", stage: "STARTTLS")
        guard reply.code == 220 else {
            if required {
                throw SMTPError(.startTLSUnavailable, stage: "STARTTLS", "the server refused STARTTLS", reply: reply)
            }
            return  // opportunistic: go on in plain text
        }
        let handler = self.handler
        let serverName = self.serverName
        let timeout = TimeAmount(settings.commandTimeout)
        let eventLoop = channel.eventLoop
        let handshake = eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            // Bytes after STARTTLS's reply came in plain text and could be anyone's (RFC 3207 §4.2,
            // CVE-2011-0411): a server that sends them is not trusted.
            if handler.value.hasUnreadInput {
                let error = SMTPError(
                    .protocolViolation, stage: "STARTTLS", "the server sent data before the TLS handshake")
                handler.value.fail(error)
                return eventLoop.makeFailedFuture(error)
            }
            do {
                let tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
                return handler.value.startTLS(tls, timeout: timeout, on: eventLoop)
            } catch {
                let error = SMTPError(tls: error)
                handler.value.fail(error)
                return eventLoop.makeFailedFuture(error)
            }
        }
        do {
            try await handshake.get()
        } catch {
            throw Self.smtpError(error, stage: "TLS handshake")
        }
        isEncrypted = true
        // RFC 3207 §4.2: forget what was learnt before TLS and ask again
        extensions = SMTPExtensions()
        try await hello()
    }

    private func authenticate(username: String, password: String) async throws(SMTPError) {
        guard isEncrypted || settings.allowPlaintextAuth else {
            throw SMTPError(
                .authenticationUnavailable, stage: "AUTH",
                "credentials are not sent over a connection without TLS (set allowPlaintextAuth to allow it)")
        }
        let offered = extensions.authMechanisms
        guard let mechanism = settings.authMechanisms.first(where: { offered.contains($0.rawValue) }) else {
            let list = offered.isEmpty ? "no AUTH" : "AUTH " + offered.sorted().joined(separator: " ")
            throw SMTPError(
                .authenticationUnavailable, stage: "AUTH",
                "the server offers \(list), none of \(settings.authMechanisms.map(\.rawValue).joined(separator: ", "))")
        }
        let stage = "AUTH \(mechanism.rawValue)"
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        var reply: SMTPReply
        switch mechanism {
        case .plain:
            let token = base64("\0\(username)\0\(password)")
            reply = try await command("AUTH PLAIN \(token)", stage: stage)
            if reply.code == 334 { reply = try await command(token, stage: stage) }
        case .login:
            reply = try await command("AUTH LOGIN", stage: stage)
            if reply.code == 334 { reply = try await command(base64(username), stage: stage) }
            if reply.code == 334 { reply = try await command(base64(password), stage: stage) }
        }
        guard reply.code == 235 else {
            throw SMTPError(
                .authenticationFailed, stage: stage,
                "the server did not accept the credentials of \(username.debugDescription)", reply: reply)
        }
        isAuthenticated = true
    }

    // MARK: - The wire

    /// Sends one command line and waits for its reply.
    private func command(_ line: String, stage: String) async throws(SMTPError) -> SMTPReply {
        try await exchange([line], stages: [stage], timeout: settings.commandTimeout)[0]
    }

    /// Writes the command lines (and then the payload) in one flush and waits for one reply per stage.
    private func exchange(
        _ lines: [String], payload: [UInt8] = [], stages: [String], timeout: Duration
    ) async throws(SMTPError) -> [SMTPReply] {
        var buffer = channel.allocator.buffer(capacity: payload.count + lines.reduce(0) { $0 + $1.utf8.count + 2 })
        for line in lines {
            buffer.writeString(line)
            buffer.writeString("\r\n")
        }
        buffer.writeBytes(payload)
        let bytes = buffer
        let handler = self.handler
        let channel = self.channel
        let amount = TimeAmount(timeout)
        let replies = channel.eventLoop.flatSubmit { () -> EventLoopFuture<[SMTPReply]> in
            let futures = stages.map { handler.value.nextReply(stage: $0, timeout: amount, on: channel.eventLoop) }
            if bytes.readableBytes > 0 {
                channel.writeAndFlush(bytes).whenFailure { error in
                    handler.value.fail(
                        SMTPError(.connectionClosed, stage: stages.first ?? "write", "could not write: \(error)"))
                }
            }
            return EventLoopFuture.whenAllSucceed(futures, on: channel.eventLoop)
        }
        do {
            return try await replies.get()
        } catch {
            throw Self.smtpError(error, stage: stages.first ?? "reply")
        }
    }

    private static func smtpError(_ error: any Error, stage: String) -> SMTPError {
        (error as? SMTPError) ?? SMTPError(.connectionClosed, stage: stage, "\(error)")
    }

    /// DATA's payload: CRLF line endings, a dot doubled at the start of a line (RFC 5321 §4.5.2), CRLF at the
    /// end, then the lone dot.
    static func dotStuffed(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 64 + 8)
        var lineStart = true
        var previous: UInt8 = 0
        for byte in bytes {
            if lineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { out.append(UInt8(ascii: "\r")) }
            if previous == UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") {
                // a lone CR becomes CRLF
                out.append(UInt8(ascii: "\n"))
                if byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            }
            out.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
            previous = byte
        }
        if previous == UInt8(ascii: "\r") {
            out.append(UInt8(ascii: "\n"))
        } else if !lineStart && !out.isEmpty {
            out += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
        return out + endOfData
    }

    static let endOfData: [UInt8] = Array(".\r\n".utf8)

    // MARK: - Taking turns

    private func takeTurn() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { turns.append($0) }
    }

    private func endTurn() {
        if turns.isEmpty {
            busy = false
        } else {
            turns.removeFirst().resume()
        }
    }
}

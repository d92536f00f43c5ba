import NIOCore
import NIOSSL
import NIOTLS

/// Reads replies off the wire and hands them, in order, to whoever asked for them. Lives on the channel's event
/// loop; ``SMTPConnection`` reaches it through a `NIOLoopBound`.
///
/// Each awaited reply has its own deadline: when one passes, every waiter fails with a timeout and the channel
/// is closed, since a session whose replies are out of step cannot be trusted for the next message.
final class SMTPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private struct Waiter {
        var promise: EventLoopPromise<SMTPReply>
        var stage: String
        var deadline: Scheduled<Void>?
    }

    /// Bytes that do not yet make a whole line.
    private var buffer = ByteBuffer()
    /// The lines of a multi-line reply read so far.
    private var partial: (code: Int, lines: [String])?
    /// Replies nobody has asked for yet (the greeting before it is awaited, or a 421 before closing).
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var waiters = CircularBuffer<Waiter>()
    private var handshake: (promise: EventLoopPromise<Void>, deadline: Scheduled<Void>?)?
    private var context: ChannelHandlerContext?
    /// Set once the session is over; every later request fails with it.
    private(set) var failure: SMTPError?
    /// The reply lines' longest allowed length before a line break; far above RFC 5321's 512.
    private let maximumLineLength = 64 * 1024

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// A future for the next reply not yet claimed, failing after `timeout`.
    func nextReply(stage: String, timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if !unclaimed.isEmpty { return eventLoop.makeSucceededFuture(unclaimed.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure.at(stage)) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        let deadline = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] () -> Void in
            self?.fail(SMTPError(.timeout, stage: stage, "no reply within \(timeout.seconds) s"))
        }
        waiters.append(Waiter(promise: promise, stage: stage, deadline: deadline))
        return promise.futureResult
    }

    /// Whether bytes or replies are waiting that nobody asked for (after STARTTLS's reply there must be none).
    var hasUnreadInput: Bool { buffer.readableBytes > 0 || !unclaimed.isEmpty || partial != nil }

    /// Puts TLS in front of the connection (STARTTLS) and succeeds once the handshake is done.
    func startTLS(_ tls: NIOSSLClientHandler, timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<Void>
    {
        if let failure { return eventLoop.makeFailedFuture(failure.at("TLS handshake")) }
        guard let context else {
            return eventLoop.makeFailedFuture(SMTPError(.connectionClosed, stage: "TLS handshake", "not connected"))
        }
        let promise = eventLoop.makePromise(of: Void.self)
        let deadline = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] () -> Void in
            self?.fail(SMTPError(.timeout, stage: "TLS handshake", "no handshake within \(timeout.seconds) s"))
        }
        handshake = (promise, deadline)
        do {
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
        } catch {
            fail(SMTPError(.tlsHandshakeFailed, stage: "TLS handshake", "\(error)"))
        }
        return promise.futureResult
    }

    /// Ends the session: every waiter fails with `error`, and the channel closes.
    func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        let error = failure ?? error
        while let waiter = waiters.popFirst() {
            waiter.deadline?.cancel()
            waiter.promise.fail(error.at(waiter.stage))
        }
        if let pending = handshake {
            handshake = nil
            pending.deadline?.cancel()
            pending.promise.fail(error.at("TLS handshake"))
        }
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            guard var line = buffer.readString(length: length) else { break }
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            readLine(line)
            if failure != nil { return }
        }
        if buffer.readableBytes > maximumLineLength {
            fail(SMTPError(.protocolViolation, stage: "reply", "a reply line longer than \(maximumLineLength) bytes"))
        }
        buffer.discardReadBytes()
    }

    private func readLine(_ line: String) {
        let utf8 = Array(line.utf8)
        guard utf8.count >= 3, utf8[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
            let code = Int(String(decoding: utf8[0...2], as: UTF8.self)),
            utf8.count == 3 || utf8[3] == UInt8(ascii: " ") || utf8[3] == UInt8(ascii: "-")
        else {
            fail(
                SMTPError(
                    .protocolViolation, stage: "reply",
                    "not an SMTP reply line: \(String(line.prefix(80)).debugDescription)"))
            return
        }
        let text = utf8.count > 4 ? String(decoding: utf8[4...], as: UTF8.self) : ""
        var lines = partial?.lines ?? []
        lines.append(text)
        if utf8.count > 3 && utf8[3] == UInt8(ascii: "-") {
            partial = (partial?.code ?? code, lines)
            return
        }
        let reply = SMTPReply(code: partial?.code ?? code, lines: lines)
        partial = nil
        if let waiter = waiters.popFirst() {
            waiter.deadline?.cancel()
            waiter.promise.succeed(reply)
        } else {
            unclaimed.append(reply)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, let pending = handshake {
            handshake = nil
            pending.deadline?.cancel()
            pending.promise.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPError(tls: error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        let detail =
            unclaimed.last.map { "the server closed the connection after \($0)" } ?? "the server closed the connection"
        fail(SMTPError(.connectionClosed, stage: "reply", detail, reply: unclaimed.last))
        context.fireChannelInactive()
    }
}

extension SMTPError {
    /// The same error, told as happening at `stage` (a connection that failed earlier fails each later step).
    func at(_ stage: String) -> SMTPError {
        var copy = self
        if copy.stage == "reply" { copy.stage = stage }
        return copy
    }

    /// An error from the pipeline, most often from TLS: a certificate the trust roots do not vouch for, or one
    /// for another host, is told apart from other handshake failures.
    init(tls error: any Error) {
        switch error {
        case let error as SMTPError:
            self = error
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            self.init(
                .certificateVerificationFailed, stage: "TLS handshake",
                "the certificate does not match the host name: \(error)")
        case let error as NIOSSLError:
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                self.init(
                    .certificateVerificationFailed, stage: "TLS handshake",
                    "the server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED)")
            } else if case .handshakeFailed = error {
                self.init(.tlsHandshakeFailed, stage: "TLS handshake", text)
            } else if case .uncleanShutdown = error {
                self.init(
                    .connectionClosed, stage: "reply", "the server closed the TLS connection without a close_notify")
            } else {
                self.init(.tlsHandshakeFailed, stage: "TLS", text)
            }
        default:
            self.init(.connectionClosed, stage: "reply", "\(error)")
        }
    }
}

extension TimeAmount {
    /// Seconds, for messages.
    var seconds: String {
        let value = Double(nanoseconds) / 1e9
        return value == value.rounded() ? "\(Int64(value))" : "\(value)"
    }
}

/// A failure of the connection or the session, as opposed to a server's answer about one message (which is an
/// ``SMTPDeliveryResult``). Its text names what happened and at which step, and never holds a credential.
package struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        /// The TCP connection could not be made (refused, unreachable, no such host).
        case connectFailed
        /// No reply (or no connection, or no handshake) in time.
        case timeout
        /// The TLS handshake failed for a reason other than the certificate.
        case tlsHandshakeFailed
        /// The server's certificate is not trusted or not valid for the host name.
        case certificateVerificationFailed
        /// STARTTLS was required and the server does not offer it (or refused it).
        case startTLSUnavailable
        /// The server refused the credentials.
        case authenticationFailed
        /// Credentials were given but cannot be used: the server offers none of the mechanisms, or the connection
        /// is not encrypted and plain-text AUTH was not allowed.
        case authenticationUnavailable
        /// A reply the session cannot go on from (a refused greeting or EHLO, a 421 shutting the session down).
        case unexpectedReply
        /// The server closed the connection.
        case connectionClosed
        /// The server broke the protocol (an unreadable reply, data sent after STARTTLS's reply).
        case protocolViolation
        /// The settings cannot be used (an unreadable CA certificate).
        case invalidSettings
        /// An envelope address or the message itself was refused before anything was sent; the connection is fine.
        case invalidMessage
        /// The connection (or pool) was closed by this side.
        case closed
    }

    package var kind: Kind
    /// The step that failed: "connect", "greeting", "EHLO", "STARTTLS", "TLS handshake", "AUTH", "MAIL FROM",
    /// "RCPT TO", "DATA", "end of data", "RSET", "QUIT".
    package var stage: String
    /// What happened, in words.
    package var detail: String
    /// The server's reply, when there was one.
    package var reply: SMTPReply?
    /// True when the failure came after the message's final dot was sent: the server may have accepted it, so
    /// sending it again could deliver it twice.
    package var mayHaveBeenDelivered = false

    package init(_ kind: Kind, stage: String, _ detail: String, reply: SMTPReply? = nil) {
        self.kind = kind
        self.stage = stage
        self.detail = detail
        self.reply = reply
    }

    /// Whether trying again later might succeed (a timeout, a dropped connection, a 4xx reply), as opposed to a
    /// fault in the settings or the message (a refused certificate, refused credentials, a bad address).
    package var isTransient: Bool {
        switch kind {
        case .connectFailed, .timeout, .connectionClosed, .closed: true
        case .unexpectedReply, .startTLSUnavailable, .authenticationFailed: reply?.isTransient ?? false
        case .tlsHandshakeFailed, .certificateVerificationFailed, .authenticationUnavailable, .protocolViolation,
            .invalidSettings, .invalidMessage:
            false
        }
    }

    package var description: String {
        var out = "SMTP \(kind.rawValue) at \(stage): \(detail)"
        if let reply { out += " (server said: \(reply))" }
        return out
    }
}

/// What the server said about one message.
package enum SMTPDeliveryResult: Sendable, Hashable {
    /// The server took the message; its reply to the final dot (often with a queue id).
    case accepted(SMTPReply)
    /// A 4xx reply to MAIL, every RCPT, DATA or the final dot: try again later.
    case temporaryFailure(code: Int, text: String)
    /// A 5xx reply: do not send this message to this address again as it is.
    case permanentFailure(code: Int, text: String)

    init(failure reply: SMTPReply) {
        self =
            reply.isTransient
            ? .temporaryFailure(code: reply.code, text: reply.text)
            : .permanentFailure(code: reply.code, text: reply.text)
    }

    package var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

/// The outcome of one transaction in full: the message's result and each recipient the server refused (when
/// some recipients were accepted, the message went to them and the refused ones are listed here).
package struct SMTPDeliveryReport: Sendable, Hashable {
    package var result: SMTPDeliveryResult
    /// The recipients refused at RCPT TO, each with the server's answer.
    package var refusedRecipients: [String: SMTPDeliveryResult]
    /// Whether MAIL, RCPT and DATA went in one round trip (the server offered PIPELINING).
    package var pipelined: Bool
}

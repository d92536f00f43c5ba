/// Where and how to reach an SMTP server. Its `description` (and `debugDescription`, and `dump`) never
/// includes the password.
package struct SMTPSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// How the connection is protected.
    package enum TLSMode: String, Sendable, CaseIterable {
        /// Plain text throughout (a relay on localhost, tests).
        case off
        /// STARTTLS when the server offers it, plain text otherwise. A failed handshake still fails the connection.
        case opportunistic
        /// STARTTLS, required: the connection fails when the server does not offer it (port 587).
        case startTLS
        /// TLS from the first byte (port 465, RFC 8314).
        case implicit
    }

    package var host: String
    package var port: Int
    package var tls: TLSMode
    package var username: String?
    package var password: String?
    /// The name sent with EHLO/HELO; the machine's host name when it has a dot, else the local address literal.
    package var heloName: String?
    /// The name the server's certificate must carry; ``host`` when nil. An IP address is checked against the
    /// certificate's IP address entries.
    package var tlsServerName: String?
    /// Extra CA certificates (PEM) to trust besides the system's roots: a private CA, or a test's own.
    package var trustedCAPEM: [String] = []
    /// Lets AUTH run over a connection without TLS. Off by default: credentials are never sent in the clear
    /// unless the caller asks for it (a relay on localhost).
    package var allowPlaintextAuth = false
    /// The AUTH mechanisms to use, in order of preference; the first one the server offers is used.
    package var authMechanisms: [SMTPAuthMechanism] = [.plain, .login]
    /// How long to wait for the TCP connection (and, for implicit TLS, nothing more).
    package var connectTimeout: Duration = .seconds(10)
    /// How long to wait for each reply: the greeting, EHLO, STARTTLS and the TLS handshake, AUTH, MAIL, RCPT,
    /// DATA, RSET, QUIT.
    package var commandTimeout: Duration = .seconds(60)
    /// How long to wait for the reply after the message's final dot (RFC 5321 §4.5.3.2.6 suggests 10 minutes).
    package var dataTimeout: Duration = .seconds(300)

    /// - Parameters:
    ///   - host: a name or an IP address.
    ///   - port: 465 for implicit TLS and 587 otherwise when nil.
    package init(
        host: String, port: Int? = nil, tls: TLSMode = .startTLS, username: String? = nil, password: String? = nil
    ) {
        self.host = host
        self.port = port ?? (tls == .implicit ? 465 : 587)
        self.tls = tls
        self.username = username
        self.password = password
    }

    package var description: String {
        let user = username.map { "\($0)@" } ?? ""
        let secret = password == nil ? "" : " password: <redacted>"
        return "smtp://\(user)\(host):\(port) (tls: \(tls.rawValue)\(secret))"
    }

    package var debugDescription: String { "SMTPSettings(\(description))" }

    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "tls": tls, "username": username as Any,
                "password": password == nil ? "nil" : "<redacted>", "heloName": heloName as Any,
                "tlsServerName": tlsServerName as Any, "trustedCAPEM": "\(trustedCAPEM.count) certificate(s)",
                "allowPlaintextAuth": allowPlaintextAuth, "connectTimeout": connectTimeout,
                "commandTimeout": commandTimeout, "dataTimeout": dataTimeout,
            ])
    }
}

/// An SMTP AUTH mechanism (RFC 4954).
package enum SMTPAuthMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"
}

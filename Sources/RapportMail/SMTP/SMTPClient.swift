import Foundation
package import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Opens SMTP sessions: ``connect(_:on:)`` returns a connection that is greeted, EHLO'd, encrypted and
/// authenticated as the settings ask, ready to send any number of messages.
package enum SMTPClient {
    /// Connects, reads the greeting, says EHLO (HELO when EHLO is refused with 5xx), starts TLS as the settings
    /// say and authenticates when they hold a username.
    /// - Throws: ``SMTPError`` saying what failed and at which step.
    /// - Parameter group: the event loops to run on; NIO's shared singleton group when nil.
    package static func connect(
        _ settings: SMTPSettings, on group: (any EventLoopGroup)? = nil
    ) async throws(SMTPError) -> SMTPConnection {
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        let tlsContext = settings.tls == .off ? nil : try makeTLSContext(settings)
        let serverName = try tlsServerName(settings)
        // Each channel's handler, kept here rather than looked up in the pipeline afterwards: a channel whose TLS
        // handshake failed at once has an empty pipeline by then, and its handler holds the reason.
        let handlers = Mutex<[ObjectIdentifier: NIOLoopBound<SMTPChannelHandler>]>([:])
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(settings.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.tls == .implicit, let tlsContext {
                        let tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    let handler = SMTPChannelHandler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handlers.withLock {
                        $0[ObjectIdentifier(channel)] = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: settings.host, port: settings.port).get()
        } catch {
            throw connectError(error, settings)
        }
        guard let handler = handlers.withLock({ $0[ObjectIdentifier(channel)] }) else {
            channel.close(promise: nil)
            throw SMTPError(.connectionClosed, stage: "connect", "the connection was not set up")
        }
        let connection = SMTPConnection(
            channel: channel, handler: handler, settings: settings, tlsContext: tlsContext, serverName: serverName)
        do throws(SMTPError) {
            try await connection.open()
        } catch {
            await connection.abort()
            throw error
        }
        return connection
    }

    static func makeTLSContext(_ settings: SMTPSettings) throws(SMTPError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        do {
            let extra = try settings.trustedCAPEM.flatMap { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) }
            if !extra.isEmpty { configuration.additionalTrustRoots = [.certificates(extra)] }
        } catch {
            throw SMTPError(
                .invalidSettings, stage: "connect", "a trusted CA certificate could not be read as PEM: \(error)")
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError(.invalidSettings, stage: "connect", "TLS could not be set up: \(error)")
        }
    }

    /// The name for SNI and the certificate check; nil for an IP address, which NIOSSL then checks against the
    /// certificate's IP address entries.
    static func tlsServerName(_ settings: SMTPSettings) throws(SMTPError) -> String? {
        let name = settings.tlsServerName ?? settings.host
        if (try? SocketAddress(ipAddress: name, port: 0)) != nil { return nil }
        return name
    }

    static func connectError(_ error: any Error, _ settings: SMTPSettings) -> SMTPError {
        let target = "\(settings.host):\(settings.port)"
        switch error {
        case ChannelError.connectTimeout(let amount):
            return SMTPError(.timeout, stage: "connect", "no connection to \(target) within \(amount.seconds) s")
        case let error as NIOConnectionError:
            if error.dnsAAAAError != nil && error.dnsAError != nil {
                return SMTPError(.connectFailed, stage: "connect", "\(settings.host) could not be resolved")
            }
            let reasons = error.connectionErrors.map { "\($0.target): \(describe($0.error))" }
            return SMTPError(
                .connectFailed, stage: "connect", "could not connect to \(target): \(reasons.joined(separator: "; "))")
        default:
            return SMTPError(.connectFailed, stage: "connect", "could not connect to \(target): \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return "connection refused" }
        return "\(error)"
    }
}

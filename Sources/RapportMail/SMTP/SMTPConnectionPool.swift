package import Foundation
package import NIOCore

/// Up to `size` SMTP sessions to one server, opened when first needed and reused for message after message.
/// A session the server dropped (an idle timeout, a 421) is replaced by a new one; a message whose send failed
/// on a dropped session before its final dot went out is sent once more on a fresh session.
package actor SMTPConnectionPool {
    package nonisolated let settings: SMTPSettings
    /// The most sessions open at once.
    package nonisolated let size: Int
    private let group: (any EventLoopGroup)?
    private var idle: [SMTPConnection] = []
    /// Sessions open or being opened (idle and lent out).
    private var count = 0
    private var waiters: [CheckedContinuation<SMTPConnection?, any Error>] = []
    private var closed = false
    /// Sessions opened over the pool's life (the first ones and every replacement).
    package private(set) var connectionsOpened = 0

    /// - Parameters:
    ///   - size: the most sessions open at once.
    ///   - group: the event loops to run on; NIO's shared singleton group when nil.
    package init(settings: SMTPSettings, size: Int = 4, on group: (any EventLoopGroup)? = nil) {
        self.settings = settings
        self.size = max(1, size)
        self.group = group
    }

    /// Renders and sends a message on a pooled session (see ``SMTPConnection/send(_:envelopeFrom:to:now:)``).
    package func send(
        _ message: MailMessage, envelopeFrom: String? = nil, to: [String]? = nil, now: Date = Date()
    ) async throws(SMTPError) -> SMTPDeliveryResult {
        let mail: RenderedMail
        do {
            mail = try message.render(now: now)
        } catch {
            throw SMTPError(.invalidMessage, stage: "render", "\(error)")
        }
        return try await send(
            mail, envelopeFrom: envelopeFrom ?? message.from.address,
            to: to ?? (message.to + message.cc).map(\.address))
    }

    /// Sends a rendered message on a pooled session.
    package func send(_ mail: RenderedMail, envelopeFrom: String, to: [String]) async throws(SMTPError)
        -> SMTPDeliveryResult
    {
        try await deliver(mail, envelopeFrom: envelopeFrom, to: to).result
    }

    /// Sends a rendered message on a pooled session, with the full report.
    package func deliver(_ mail: RenderedMail, envelopeFrom: String, to: [String]) async throws(SMTPError)
        -> SMTPDeliveryReport
    {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try await lease()
            do throws(SMTPError) {
                let report = try await connection.deliver(mail, envelopeFrom: envelopeFrom, to: to)
                await giveBack(connection)
                return report
            } catch {
                await giveBack(connection)
                // a session that broke before the final dot left nothing behind: one more try on a new one
                let retry =
                    attempt == 1 && !error.mayHaveBeenDelivered
                    && [.connectionClosed, .closed, .timeout].contains(error.kind)
                if !retry { throw error }
            }
        }
    }

    /// Closes every idle session (QUIT) and refuses new work; sessions lent out close when given back.
    package func close() async {
        closed = true
        let sessions = idle
        idle.removeAll()
        count -= sessions.count
        for waiter in waiters {
            waiter.resume(throwing: SMTPError(.closed, stage: "pool", "the pool was closed"))
        }
        waiters.removeAll()
        for session in sessions { await session.close() }
    }

    /// Sessions open or being opened, and how many of them are idle.
    package var status: (open: Int, idle: Int) { (count, idle.count) }

    // MARK: - Lending

    private func lease() async throws(SMTPError) -> SMTPConnection {
        while true {
            guard !closed else { throw SMTPError(.closed, stage: "pool", "the pool was closed") }
            while let connection = idle.popLast() {
                if await connection.isOpen { return connection }
                count -= 1
            }
            if count < size {
                count += 1
                do throws(SMTPError) {
                    let connection = try await SMTPClient.connect(settings, on: group)
                    connectionsOpened += 1
                    return connection
                } catch {
                    count -= 1
                    wakeOne(with: nil)
                    throw error
                }
            }
            // all sessions are lent out: wait for one, or for room to open one (nil)
            do {
                if let connection = try await withCheckedThrowingContinuation({ waiters.append($0) }) {
                    return connection
                }
            } catch {
                throw (error as? SMTPError) ?? SMTPError(.closed, stage: "pool", "\(error)")
            }
        }
    }

    private func giveBack(_ connection: SMTPConnection) async {
        guard !closed else {
            count -= 1
            await connection.close()
            return
        }
        guard await connection.isOpen else {
            count -= 1
            await connection.close()
            wakeOne(with: nil)
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    private func wakeOne(with connection: SMTPConnection?) {
        guard !waiters.isEmpty else { return }
        waiters.removeFirst().resume(returning: connection)
    }
}

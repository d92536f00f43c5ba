import RapportCore
import Synchronization

/// Tokens authenticated in the last second, by the hash of their secret, so that a client's burst of
/// requests reads its token once rather than once per request. A revocation or a profile change made
/// through this process empties it at once; another process sharing the database sees the change
/// within `lifetime`.
package final class TokenCache: Sendable {
    static let lifetime: Duration = .seconds(1)
    static let capacity = 10_000
    private let entries = Mutex<[String: (principal: Principal, until: ContinuousClock.Instant)]>([:])

    func principal(hash: String) -> Principal? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            if entry.until > now { return entry.principal }
            entries[hash] = nil
            return nil
        }
    }

    func remember(_ principal: Principal, hash: String) {
        let until = ContinuousClock.now + Self.lifetime
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries = [:] }
            entries[hash] = (principal, until)
        }
    }

    package func forgetAll() {
        entries.withLock { $0 = [:] }
    }
}

/// API tokens: the secret is shown once and only its SHA-256 is stored.

import Foundation
import HummingbirdBcrypt
import Logging
import RapportCore
import RapportStore
import Synchronization

/// A bcrypt hash of a random password, made once when first asked for.
final class UnknownUserHash: Sendable {
    let cost: UInt8
    let cached = Mutex<String?>(nil)

    init(cost: UInt8) {
        self.cost = cost
    }

    var value: String {
        cached.withLock { cached in
            if let cached { return cached }
            let hash = Bcrypt.hash(RecordID.make(), cost: cost)
            cached = hash
            return hash
        }
    }
}

package import Foundation
import Synchronization

/// Time-ordered record ids (UUID version 7, RFC 9562), rendered lower-case.
package enum RecordID {
    /// The last millisecond and counter handed out, so ids made in one millisecond still sort in the
    /// order they were made (RFC 9562, method 1: a counter in `rand_a`).
    private static let last = Mutex((millis: UInt64(0), counter: UInt16(0)))

    /// A new id whose leading 48 bits are the Unix time in milliseconds, increasing within this process.
    package static func make(now: Date = Date()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in 8..<16 { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let (millis, counter) = last.withLock { last -> (UInt64, UInt16) in
            let wanted = UInt64(max(0, now.timeIntervalSince1970 * 1000))
            if wanted > last.millis {
                last = (wanted, UInt16.random(in: 0...0x3FF, using: &generator))
            } else if last.counter < 0xFFF {
                last.counter += 1
            } else {
                last = (last.millis + 1, 0)
            }
            return last
        }
        bytes[6] = UInt8(counter >> 8)
        bytes[7] = UInt8(counter & 0xFF)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index)))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4),
            hex.dropFirst(16).prefix(4), hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }

    /// Whether a string has the shape of a record id (any UUID), so bad path ids answer 404 without a query.
    package static func isWellFormed(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }
}

package import Foundation
import Synchronization

/// Time-ordered record ids (UUID version 7, RFC 9562), rendered lower-case.
package enum RecordID {
    /// The last millisecond and counter handed out, so ids made in one millisecond still sort in the
    /// order they were made (RFC 9562, method 1: a counter in `rand_a`).
    private static let last = Mutex((millis: UInt64(0), counter: UInt16(0)))

    /// A new id whose leading 48 bits are the Unix time in milliseconds, increasing within this process.
    package static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = generator.next()
        let (millis, counter) = last.withLock { last -> (UInt64, UInt16) in
            let wanted = UInt64(max(0, now.timeIntervalSince1970 * 1000))
            if wanted > last.millis {
                last = (wanted, UInt16(truncatingIfNeeded: random >> 54))
            } else if last.counter < 0xFFF {
                last.counter += 1
            } else {
                last = (last.millis + 1, 0)
            }
            return last
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for index in 0..<6 { bytes.append(UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index))))) }
        bytes.append(UInt8(counter >> 8) & 0x0F | 0x70)
        bytes.append(UInt8(counter & 0xFF))
        for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: random >> (8 * UInt64(index)))) }
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return text(of: bytes)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// 16 bytes as `8-4-4-4-12` lower-case hex.
    static func text(of bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var out = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[out] = UInt8(ascii: "-")
                    out += 1
                }
                buffer[out] = hexDigits[Int(byte >> 4)]
                buffer[out + 1] = hexDigits[Int(byte & 0x0F)]
                out += 2
            }
            return out
        }
    }

    /// Whether a string has the shape of a record id (any UUID), so bad path ids answer 404 without a query.
    package static func isWellFormed(_ text: String) -> Bool {
        Hex.uuidBytes(text) != nil
    }
}

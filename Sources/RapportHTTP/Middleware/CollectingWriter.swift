import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportServices

/// A response body writer that keeps what is written, for storing idempotent responses.
struct CollectingWriter: ResponseBodyWriter {
    final class Box: Sendable {
        let buffer = NIOLockedValueBox(ByteBuffer())
    }
    let box: Box

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        _ = box.buffer.withLockedValue { $0.writeBuffer(&buffer) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

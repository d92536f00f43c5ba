package import Foundation
import NIOConcurrencyHelpers

/// A per-token fixed-window limit of requests per minute, kept in memory (each process counts its own).
package final class RateLimiter: Sendable {
    private let perMinute: Int?
    private let windows = NIOLockedValueBox<[String: (start: Int, count: Int)]>([:])

    package init(perMinute: Int?) {
        self.perMinute = perMinute
    }

    /// Counts one request for `key`.
    /// - Returns: nil when allowed, else the seconds until the window resets.
    package func hit(_ key: String, now: Date = Date()) -> Int? {
        guard let perMinute else { return nil }
        let second = Int(now.timeIntervalSince1970)
        let minute = second / 60
        return windows.withLockedValue { windows in
            var window = windows[key] ?? (minute, 0)
            if window.start != minute { window = (minute, 0) }
            window.count += 1
            windows[key] = window
            if windows.count > 100_000 { windows = windows.filter { $0.value.start == minute } }
            return window.count > perMinute ? 60 - second % 60 : nil
        }
    }
}

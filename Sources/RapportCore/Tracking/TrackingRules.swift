import Foundation

/// What a tracking hit is: a message opened (its pixel fetched), a link clicked (its redirect followed), or the
/// message's unsubscribe link used.
package enum TrackingKind: String, Sendable, CaseIterable, Codable {
    case open, click, unsubscribe
}

/// Why a recorded hit is not counted (or, for `impliedByClick`, why an open was counted without its pixel).
package enum TrackingFlag: String, Sendable, CaseIterable, Codable {
    /// An open of the same message within a minute of a counted one.
    case repeatOpen = "repeat"
    /// A click within a second of delivery from an agent that is not a browser: a mail scanner following
    /// every link before anyone could read the message.
    case prefetch
    /// A click from a known link scanner's agent, whenever it came.
    case scanner
    /// A second unsubscribe of a message already unsubscribed.
    case repeatUnsubscribe = "repeat_unsubscribe"
    /// An open counted because a link of the message was clicked (images were off, or the pixel blocked).
    case impliedByClick = "implied_by_click"
}

/// Whether a hit counts, and why not.
package struct TrackingVerdict: Sendable, Equatable {
    package var counted: Bool
    package var flag: TrackingFlag?

    package init(counted: Bool, flag: TrackingFlag? = nil) {
        self.counted = counted
        self.flag = flag
    }

    package static let counted = TrackingVerdict(counted: true)
}

/// The rules that decide which opens and clicks count. Times are microseconds since 1970.
package enum TrackingRules {
    /// Opens of one message within this long of a counted one count once.
    package static let openWindow: Int64 = 60_000_000
    /// A click this soon after delivery from a non-browser agent is a scanner's prefetch.
    package static let prefetchWindow: Int64 = 1_000_000

    /// Parts of user agents that link scanners and security gateways send (compared case-insensitively).
    package static let scannerAgents = [
        "barracuda", "proofpoint", "mimecast", "symantec", "messagelabs", "trendmicro", "trend micro", "fortinet",
        "forcepoint", "zscaler", "sophos", "cisco", "ironport", "safelinks", "safe links", "urldefense",
        "appriver", "spamtitan", "mailguard", "bitdefender", "kaspersky", "headlesschrome", "phantomjs",
        "python-requests", "python-urllib", "go-http-client", "curl/", "wget/", "java/", "okhttp",
        "libwww-perl", "apache-httpclient", "axios/", "node-fetch", "bot/", "bot-", "bot;", "bot)", "bot ",
        "facebookexternalhit", "crawler", "spider", "scanner", "preview",
    ]

    /// The known scanner an agent names; nil for none.
    package static func scanner(userAgent: String?) -> String? {
        guard let agent = userAgent?.lowercased(), !agent.isEmpty else { return nil }
        return scannerAgents.first { agent.contains($0) }
    }

    /// Whether an agent looks like a person's browser or mail reader: it says `Mozilla/` (every browser and
    /// webview does) and names no known scanner.
    package static func isBrowser(userAgent: String?) -> Bool {
        guard let agent = userAgent?.trimmingCharacters(in: .whitespaces), agent.hasPrefix("Mozilla/") else {
            return false
        }
        return scanner(userAgent: agent) == nil
    }

    /// An open at `at`, given a counted open of the same message near it (nil for none): counted unless it is
    /// within a minute of that one, either side (hits that arrive together may be decided out of order).
    package static func open(at: Int64, counted: Int64?) -> TrackingVerdict {
        if let counted, abs(at - counted) < openWindow {
            return TrackingVerdict(counted: false, flag: .repeatOpen)
        }
        return .counted
    }

    /// A click at `at` on a message delivered at `sentAt`: a known scanner's agent is flagged whenever it
    /// comes; any other agent that is not a browser, within a second of delivery.
    package static func click(at: Int64, sentAt: Int64?, userAgent: String?) -> TrackingVerdict {
        if scanner(userAgent: userAgent) != nil { return TrackingVerdict(counted: false, flag: .scanner) }
        if let sentAt, at - sentAt < prefetchWindow, !isBrowser(userAgent: userAgent) {
            return TrackingVerdict(counted: false, flag: .prefetch)
        }
        return .counted
    }
}

/// One recorded tracking hit.
package struct TrackingHit: Sendable, Equatable {
    package var workspaceID: String
    package var id: String
    package var outboxID: String
    package var contactID: String?
    package var campaignID: String?
    package var variant: String?
    package var kind: TrackingKind
    /// The address a click led to.
    package var url: String?
    /// As the agent sent it, at most 500 characters.
    package var userAgent: String?
    package var occurredAt: Int64
    package var counted: Bool
    package var flag: TrackingFlag?

    package init(
        workspaceID: String, id: String = RecordID.make(), outboxID: String, contactID: String?, campaignID: String?,
        variant: String?, kind: TrackingKind, url: String?, userAgent: String?, occurredAt: Int64, counted: Bool,
        flag: TrackingFlag?
    ) {
        self.workspaceID = workspaceID
        self.id = id
        self.outboxID = outboxID
        self.contactID = contactID
        self.campaignID = campaignID
        self.variant = variant
        self.kind = kind
        self.url = url
        self.userAgent = userAgent.map { String($0.prefix(500)) }
        self.occurredAt = occurredAt
        self.counted = counted
        self.flag = flag
    }
}

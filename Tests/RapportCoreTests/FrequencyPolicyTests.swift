import Foundation
import Testing

@testable import RapportCore

@Suite("Frequency policy and send-time rules")
struct FrequencyPolicyTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let tehran = TimeZone(identifier: "Asia/Tehran")!
    static let copenhagen = TimeZone(identifier: "Europe/Copenhagen")!
    static let hour: Int64 = 3_600_000_000
    static let day: Int64 = 86_400_000_000

    /// A moment written in RFC 3339 with its offset.
    static func at(_ text: String) -> Int64 {
        Timestamp.micros(Timestamp.parseWithOffset(text)!)
    }

    @Test("under the cap a message goes now; at the cap it waits until the oldest send leaves the window")
    func cap() {
        let policy = FrequencyPolicy(cap: .init(maxMessages: 3, windowDays: 7))
        let sends = [Self.at("2026-03-01T10:00:00Z"), Self.at("2026-03-02T10:00:00Z")]
        #expect(SendPolicy.deferral(policy, sends: sends, now: Self.at("2026-03-03T10:00:00Z"), zone: Self.utc) == nil)
        let full = sends + [Self.at("2026-03-03T10:00:00Z")]
        let held = SendPolicy.deferral(policy, sends: full, now: Self.at("2026-03-04T09:00:00Z"), zone: Self.utc)
        #expect(held?.until == Self.at("2026-03-08T10:00:00Z"))
        #expect(held?.rules == [.frequencyCap])
        #expect(held?.reason == "Frequency cap: 3 messages in 7 days; next slot 2026-03-08 10:00 UTC.")
        // the moment the oldest send leaves the window, one more fits
        #expect(SendPolicy.deferral(policy, sends: full, now: Self.at("2026-03-08T10:00:00Z"), zone: Self.utc) == nil)
        // sends older than the window do not count
        let old = [Self.at("2026-02-01T10:00:00Z"), Self.at("2026-02-02T10:00:00Z"), Self.at("2026-02-03T10:00:00Z")]
        #expect(SendPolicy.deferral(policy, sends: old, now: Self.at("2026-03-04T09:00:00Z"), zone: Self.utc) == nil)
    }

    @Test("a cap of one in one day says so in the singular")
    func singular() {
        let policy = FrequencyPolicy(cap: .init(maxMessages: 1, windowDays: 1))
        let held = SendPolicy.deferral(
            policy, sends: [Self.at("2026-03-01T10:00:00Z")], now: Self.at("2026-03-01T12:00:00Z"), zone: Self.utc)
        #expect(held?.reason == "Frequency cap: 1 message in 1 day; next slot 2026-03-02 10:00 UTC.")
    }

    @Test("the minimum gap holds a message until that long after the last one")
    func gap() {
        let policy = FrequencyPolicy(minGapHours: 12)
        let last = Self.at("2026-03-01T10:00:00Z")
        let held = SendPolicy.deferral(policy, sends: [last], now: last + 5 * Self.hour, zone: Self.utc)
        #expect(held?.until == last + 12 * Self.hour)
        #expect(held?.rules == [.minimumGap])
        #expect(held?.reason == "Minimum gap: 12 hours between messages; next slot 2026-03-01 22:00 UTC.")
        #expect(SendPolicy.deferral(policy, sends: [last], now: last + 12 * Self.hour, zone: Self.utc) == nil)
    }

    @Test(
        "quiet hours across midnight, in the contact's zone",
        arguments: [
            // (local now in Tehran, +03:30, held until)
            ("2026-03-10T23:30:00+03:30", "2026-03-11T07:00:00+03:30"),
            ("2026-03-10T22:00:00+03:30", "2026-03-11T07:00:00+03:30"),
            ("2026-03-11T03:00:00+03:30", "2026-03-11T07:00:00+03:30"),
            ("2026-03-11T06:59:30+03:30", "2026-03-11T07:00:00+03:30"),
            ("2026-03-11T07:00:00+03:30", nil),
            ("2026-03-10T21:59:00+03:30", nil),
            ("2026-03-10T12:00:00+03:30", nil),
        ] as [(String, String?)])
    func quietAcrossMidnight(_ now: String, _ until: String?) {
        let policy = FrequencyPolicy(quietHours: QuietHours(start: 22 * 60, end: 7 * 60))
        let held = SendPolicy.deferral(policy, sends: [], now: Self.at(now), zone: Self.tehran)
        #expect(held?.until == until.map(Self.at))
        if held != nil {
            #expect(held?.rules == [.quietHours])
            #expect(held?.reason.hasPrefix("Quiet hours: 22:00–07:00 Asia/Tehran; next slot ") == true)
        }
    }

    @Test("the same moment is quiet for a contact in Tehran and not for one in Copenhagen")
    func zonesDiffer() {
        let policy = FrequencyPolicy(quietHours: QuietHours(start: 22 * 60, end: 7 * 60))
        // 19:00 UTC: 22:30 in Tehran, 20:00 in Copenhagen
        let now = Self.at("2026-03-10T19:00:00Z")
        #expect(
            SendPolicy.deferral(policy, sends: [], now: now, zone: Self.tehran)?.until
                == Self.at("2026-03-11T07:00:00+03:30"))
        #expect(SendPolicy.deferral(policy, sends: [], now: now, zone: Self.copenhagen) == nil)
    }

    @Test("quiet hours within one day: 12:00 to 14:00")
    func quietMidday() {
        let policy = FrequencyPolicy(quietHours: QuietHours(start: 12 * 60, end: 14 * 60))
        #expect(
            SendPolicy.deferral(policy, sends: [], now: Self.at("2026-03-10T13:15:00Z"), zone: Self.utc)?.until
                == Self.at("2026-03-10T14:00:00Z"))
        #expect(SendPolicy.deferral(policy, sends: [], now: Self.at("2026-03-10T14:00:00Z"), zone: Self.utc) == nil)
        #expect(SendPolicy.deferral(policy, sends: [], now: Self.at("2026-03-10T11:59:00Z"), zone: Self.utc) == nil)
    }

    @Test("a gap that ends in quiet hours waits for their end, and the reason names both")
    func gapThenQuiet() {
        let policy = FrequencyPolicy(
            cap: .init(maxMessages: 3, windowDays: 7), minGapHours: 12,
            quietHours: QuietHours(start: 22 * 60, end: 7 * 60))
        // sent 11:00 in Tehran; the gap ends 23:00, in quiet hours: 07:00 the next morning
        let last = Self.at("2026-03-10T11:00:00+03:30")
        let held = SendPolicy.deferral(policy, sends: [last], now: last + Self.hour, zone: Self.tehran)
        #expect(held?.until == Self.at("2026-03-11T07:00:00+03:30"))
        #expect(held?.rules == [.minimumGap, .quietHours])
        #expect(
            held?.reason
                == "Minimum gap: 12 hours between messages; then quiet hours 22:00–07:00 Asia/Tehran; next slot 2026-03-11 07:00 Asia/Tehran."
        )
    }

    @Test("the cap and the gap: the later of the two decides")
    func capAndGap() {
        let policy = FrequencyPolicy(cap: .init(maxMessages: 2, windowDays: 7), minGapHours: 48)
        let sends = [Self.at("2026-03-01T10:00:00Z"), Self.at("2026-03-05T10:00:00Z")]
        // cap: until 03-08 10:00; gap: until 03-07 10:00 → the cap
        let held = SendPolicy.deferral(policy, sends: sends, now: Self.at("2026-03-05T11:00:00Z"), zone: Self.utc)
        #expect(held?.until == Self.at("2026-03-08T10:00:00Z"))
        #expect(held?.rules == [.frequencyCap])
        // one send only: the gap
        let gap = SendPolicy.deferral(policy, sends: [sends[1]], now: Self.at("2026-03-05T11:00:00Z"), zone: Self.utc)
        #expect(gap?.until == Self.at("2026-03-07T10:00:00Z"))
        #expect(gap?.rules == [.minimumGap])
    }

    @Test("quiet hours ending in a skipped hour (Copenhagen springs forward) still end after now")
    func clockChange() throws {
        // 29 March 2026: 02:00 becomes 03:00 in Copenhagen; quiet hours 23:00 to 02:30
        let policy = FrequencyPolicy(quietHours: QuietHours(start: 23 * 60, end: 2 * 60 + 30))
        let now = Self.at("2026-03-29T01:30:00+01:00")
        let held = try #require(SendPolicy.deferral(policy, sends: [], now: now, zone: Self.copenhagen))
        #expect(held.until > now)
        #expect(held.until <= Self.at("2026-03-29T04:00:00+02:00"))
        #expect(SendPolicy.deferral(policy, sends: [], now: held.until, zone: Self.copenhagen) == nil)
    }

    @Test("no policy holds nothing")
    func empty() {
        #expect(FrequencyPolicy().isEmpty)
        #expect(
            SendPolicy.deferral(FrequencyPolicy(), sends: [0, 1, 2, 3], now: 4, zone: Self.utc) == nil)
    }

    @Test(
        "consent and status decide whether marketing mail goes at all",
        arguments: [
            (nil, "ok", MarketingRefusal.noContact), ("unknown", "ok", .noConsent("unknown")),
            ("withdrawn", "ok", .noConsent("withdrawn")), ("granted", "undeliverable", .undeliverable),
            ("granted", "ok", nil),
        ] as [(String?, String, MarketingRefusal?)])
    func refusal(_ consent: String?, _ status: String, _ expected: MarketingRefusal?) {
        let refusal = SendPolicy.refusal(consent: consent, emailStatus: status)
        #expect(refusal == expected)
        if let refusal { #expect(SendPolicy.kind(ofReason: refusal.reason) != nil) }
    }

    @Test("each reason names its rule for the pages")
    func kinds() {
        #expect(SendPolicy.kind(ofReason: "Frequency cap: 3 messages in 7 days; next slot x.") == "frequency_cap")
        #expect(SendPolicy.kind(ofReason: "Minimum gap: 12 hours between messages; then quiet hours") == "minimum_gap")
        #expect(SendPolicy.kind(ofReason: "Quiet hours: 22:00–07:00 UTC; next slot x.") == "quiet_hours")
        #expect(SendPolicy.kind(ofReason: MarketingRefusal.noConsent("withdrawn").reason) == "no_consent")
        #expect(SendPolicy.kind(ofReason: "The address is suppressed (hard_bounce).") == "suppressed")
        #expect(SendPolicy.kind(ofReason: "The server deferred it: 451 greylisted") == nil)
    }

    @Test("a contact's own zone, else the workspace's, else UTC")
    func zones() {
        #expect(SendPolicy.zone(contact: "Asia/Tehran", workspace: "Europe/Copenhagen").identifier == "Asia/Tehran")
        #expect(SendPolicy.zone(contact: nil, workspace: "Europe/Copenhagen").identifier == "Europe/Copenhagen")
        #expect(SendPolicy.zone(contact: "Mars/Olympus", workspace: "Europe/Kyiv").identifier == "Europe/Kyiv")
        #expect(SendPolicy.name(SendPolicy.zone(contact: nil, workspace: "nowhere")) == "UTC")
    }

    @Test(
        "a draft is checked field by field",
        arguments: [
            (FrequencyPolicy.Draft(maxMessages: 3), ["window_days"]),
            (FrequencyPolicy.Draft(windowDays: 7), ["max_messages"]),
            (FrequencyPolicy.Draft(maxMessages: 0, windowDays: 400), ["max_messages", "window_days"]),
            (FrequencyPolicy.Draft(minGapHours: -1), ["min_gap_hours"]),
            (FrequencyPolicy.Draft(quietStart: "22:00"), ["quiet_hours.end"]),
            (FrequencyPolicy.Draft(quietEnd: "07:00"), ["quiet_hours.start"]),
            (FrequencyPolicy.Draft(quietStart: "24:00", quietEnd: "7:00"), ["quiet_hours.start", "quiet_hours.end"]),
            (FrequencyPolicy.Draft(quietStart: "22:00", quietEnd: "22:00"), ["quiet_hours.end"]),
            (FrequencyPolicy.Draft(quietStart: "۲۲:۰۰", quietEnd: "07:00"), ["quiet_hours.start"]),
        ] as [(FrequencyPolicy.Draft, [String])])
    func invalid(_ draft: FrequencyPolicy.Draft, _ fields: [String]) {
        guard case .failure(let error) = draft.validated() else {
            Issue.record("accepted \(draft)")
            return
        }
        #expect(error.fields.map(\.field) == fields)
        #expect(error.fields.allSatisfy { $0.key != nil })
    }

    @Test("a valid draft becomes the policy; a gap of 0 is no gap")
    func valid() throws {
        let policy = try FrequencyPolicy.Draft(
            maxMessages: 3, windowDays: 7, minGapHours: 0, quietStart: "22:00", quietEnd: "07:00"
        ).validated().get()
        #expect(policy.cap == .init(maxMessages: 3, windowDays: 7))
        #expect(policy.minGapHours == nil)
        #expect(policy.quietHours == QuietHours(start: 1320, end: 420))
        #expect(policy.quietHours?.startText == "22:00")
        #expect(try FrequencyPolicy.Draft().validated().get().isEmpty)
    }

    @Test(
        "today and relative days are the workspace's days, near midnight",
        arguments: [
            // 2026-03-10 21:00 UTC is already 11 March in Tehran (00:30), still 10 March in Copenhagen
            ("UTC", "2026-03-10", "2026-03-09"), ("Asia/Tehran", "2026-03-11", "2026-03-10"),
            ("Europe/Copenhagen", "2026-03-10", "2026-03-09"), ("Pacific/Kiritimati", "2026-03-11", "2026-03-10"),
            ("America/Los_Angeles", "2026-03-10", "2026-03-09"),
        ])
    func segmentDays(_ zone: String, _ today: String, _ yesterday: String) {
        let now = Self.at("2026-03-10T21:00:00Z")
        let tz = TimeZone(identifier: zone)!
        #expect(SegmentChecker.day(now, plus: 0, zone: tz) == today)
        #expect(SegmentChecker.day(now, plus: -1, zone: tz) == yesterday)
    }

    @Test("a day in a zone runs from its local midnight to the next (23 hours on a spring-forward day)")
    func segmentDayRange() throws {
        let tehran = try #require(SegmentChecker.dayRange("2026-03-11", zone: Self.tehran))
        #expect(tehran.0 == Self.at("2026-03-11T00:00:00+03:30"))
        #expect(tehran.1 == Self.at("2026-03-12T00:00:00+03:30"))
        let spring = try #require(SegmentChecker.dayRange("2026-03-29", zone: Self.copenhagen))
        #expect(spring.1 - spring.0 == 23 * Self.hour)
        let utc = try #require(SegmentChecker.dayRange("2026-03-11"))
        #expect(utc.0 == Self.at("2026-03-11T00:00:00Z"))
    }

    @Test("birthdays within 0 days: the workspace's today")
    func anniversaries() {
        let now = Self.at("2026-03-10T21:00:00Z")
        #expect(SegmentChecker.anniversaries(from: now, days: 0) == ["03-10"])
        #expect(SegmentChecker.anniversaries(from: now, days: 0, zone: Self.tehran) == ["03-11"])
        let context = SegmentContext(userID: nil, now: now, timeZone: Self.tehran)
        let filter = try? SegmentQuery.compile("birthday within 0d", context: context)
        guard case .field(_, .anniversary(let days))? = filter else {
            Issue.record("not an anniversary: \(String(describing: filter))")
            return
        }
        #expect(days == ["03-11"])
    }
}

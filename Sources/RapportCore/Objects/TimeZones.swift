import Foundation

/// IANA time zone names known to this system.
package enum TimeZones {
    package static let known: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])
}

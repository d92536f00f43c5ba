import Foundation

/// Rules for a user's own profile fields.
package enum UserProfile {
    package static let maxNameLength = 200

    /// Why a display name is unacceptable, if it is.
    package static func nameIssue(_ name: String) -> FieldIssue? {
        if name.count > maxNameLength {
            return FieldIssue(
                "name", key: "too_long", "Name must be at most {count} characters.", ["count": String(maxNameLength)])
        }
        if RecordPatch.hasForbiddenControl(name) || name.contains(where: \.isNewline) {
            return FieldIssue("name", key: "control_characters", "Name must not contain control characters.")
        }
        return nil
    }

    /// Why a name given to a profile is unacceptable: unlike a new user's, a profile's name cannot be removed.
    package static func profileNameIssue(_ name: String) -> FieldIssue? {
        name.isEmpty ? FieldIssue("name", key: "name_empty", "Name must not be empty.") : nameIssue(name)
    }

    package static let timeZoneIssue = FieldIssue(
        "time_zone", key: "time_zone", "Time zone must be an IANA time zone such as Europe/Copenhagen.")
    package static let calendarIssue = FieldIssue("calendar", "Calendar must be gregorian or persian.")

    /// The time zone named, when it is one the system knows (`UTC` included).
    package static func timeZone(_ name: String) -> String? {
        TimeZones.known.contains(name) ? name : nil
    }

    package static let languageIssue = FieldIssue("language", "Language must be one of en, fa, uk, da.")
}

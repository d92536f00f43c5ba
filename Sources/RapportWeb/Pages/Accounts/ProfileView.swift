/// The profile form: name, language, time zone, calendar and digest, with inline errors and a note once saved.
struct ProfileView: PageContent {
    static let template = "profile"
    let name: String
    let languages: [Option]
    let timeZone: String
    /// Every time zone with its name in the viewer's language, suggested as they type.
    let timeZones: [Option]
    let calendars: [Option]
    /// Whether unread notifications come by email once a day.
    let digests: [Option]
    let saved: Bool
    let errors: [String: String]
}

/// The calendar a user reads dates in: Persian users may choose the Solar Hijri (Jalali) calendar.
package enum CalendarChoice: String, Sendable, Codable, CaseIterable {
    case gregorian, persian

    /// The calendar of a user who has not chosen one: Persian for Persian, Gregorian for the rest.
    package static func standard(for language: Language) -> CalendarChoice {
        language == .fa ? .persian : .gregorian
    }
}

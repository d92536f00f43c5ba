/// Whether a user gets their unread notifications summed up by email once a day.
package enum DigestChoice: String, Sendable, Equatable, CaseIterable {
    case none, daily
}

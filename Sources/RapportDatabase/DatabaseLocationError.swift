/// A database that cannot be used where a URL says: the URL is malformed, or nothing usable is there.
/// `Store` shows it to the user as a bad request.
package struct DatabaseLocationError: Error, Sendable, Equatable {
    /// One readable line, safe to show a user (never a password).
    package let message: String

    init(_ message: String) {
        self.message = message
    }
}

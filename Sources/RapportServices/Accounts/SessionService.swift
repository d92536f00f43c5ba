import RapportStore

/// Web sign-in sessions kept in the database, so they survive restarts and every server process on one
/// database shares them. The session's content is opaque text (the web target's JSON).
package struct SessionService: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// Stores a new session; false when the id is taken.
    package func create(id: String, data: String, expiresIn: Duration?) async throws -> Bool {
        try await services.sessions.create(id: id, data: data, expiresIn: expiresIn)
    }

    /// Stores a session, replacing one with the same id.
    package func set(id: String, data: String, expiresIn: Duration?) async throws {
        try await services.sessions.set(id: id, data: data, expiresIn: expiresIn)
    }

    /// A session that has not expired, with its seconds left when it expires at all.
    package func get(id: String) async throws -> (data: String, secondsLeft: Int64?)? {
        try await services.sessions.get(id: id)
    }

    package func remove(id: String) async throws {
        try await services.sessions.remove(id: id)
    }
}

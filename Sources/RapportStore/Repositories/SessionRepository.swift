import Foundation
import RapportCore
import SQLKit

/// Web sessions as opaque JSON documents keyed by id, so several server processes share them.
package struct SessionRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Stores or replaces a session; `expiresIn` nil keeps the stored expiry of an existing row.
    package func set(id: String, data: String, expiresIn: Duration?) async throws {
        let expiresAt = expiresIn.map { Timestamp.micros(Date()) + Int64($0.components.seconds) * 1_000_000 }
        try await store.database.raw(
            """
            INSERT INTO sessions (id, data, expires_at) VALUES (\(bind: id), \(bind: data), \(bind: expiresAt))
            ON CONFLICT (id) DO UPDATE SET data = excluded.data,
                expires_at = COALESCE(excluded.expires_at, sessions.expires_at)
            """
        ).run()
    }

    /// Inserts a new session only.
    /// - Returns: false when the id exists.
    package func create(id: String, data: String, expiresIn: Duration?) async throws -> Bool {
        let expiresAt = expiresIn.map { Timestamp.micros(Date()) + Int64($0.components.seconds) * 1_000_000 }
        let rows = try await store.database.raw(
            """
            INSERT INTO sessions (id, data, expires_at) VALUES (\(bind: id), \(bind: data), \(bind: expiresAt))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    /// A live session's data and seconds left.
    package func get(id: String) async throws -> (data: String, secondsLeft: Int64?)? {
        let now = Timestamp.micros(Date())
        guard
            let row = try await store.database.raw(
                "SELECT data, expires_at FROM sessions WHERE id = \(bind: id) AND (expires_at IS NULL OR expires_at > \(bind: now))"
            ).first()
        else { return nil }
        let expiresAt = try row.decode(column: "expires_at", as: Int64?.self)
        return (try row.decode(column: "data", as: String.self), expiresAt.map { ($0 - now) / 1_000_000 })
    }

    package func remove(id: String) async throws {
        try await store.database.raw("DELETE FROM sessions WHERE id = \(bind: id)").run()
    }

    /// Drops expired sessions.
    package func purgeExpired() async throws {
        try await store.database.raw("DELETE FROM sessions WHERE expires_at <= \(bind: Timestamp.micros(Date()))").run()
    }
}

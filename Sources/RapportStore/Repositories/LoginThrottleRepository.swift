import Foundation
import RapportCore
import SQLKit

/// Failed sign-ins, counted per email and per client address within a window, shared by all processes.
package struct LoginThrottleRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// Counts an attempt as failed before the password is checked, so that parallel guesses all count;
    /// `forget` takes it back when the password was right.
    /// - Returns: the attempt's id.
    package func recordAttempt(email: String, address: String) async throws -> String {
        let id = RecordID.make()
        try await store.database.raw(
            """
            INSERT INTO login_failures (id, email, address, failed_at)
            VALUES (\(bind: id), \(bind: email), \(bind: address), \(bind: Timestamp.micros(Date())))
            """
        ).run()
        return id
    }

    package func forget(attempt id: String) async throws {
        try await store.database.raw("DELETE FROM login_failures WHERE id = \(bind: id)").run()
    }

    /// Failures for this email and this address since `window` ago.
    package func failures(email: String, address: String, window: Duration) async throws -> (email: Int, address: Int) {
        let since = Timestamp.micros(Date()) - Int64(window.components.seconds) * 1_000_000
        let row = try await store.database.raw(
            """
            SELECT (SELECT COUNT(*) FROM login_failures WHERE email = \(bind: email) AND failed_at > \(bind: since)) AS by_email,
                   (SELECT COUNT(*) FROM login_failures WHERE address = \(bind: address) AND failed_at > \(bind: since)) AS by_address
            """
        ).first()
        return (
            try row?.decode(column: "by_email", as: Int.self) ?? 0,
            try row?.decode(column: "by_address", as: Int.self) ?? 0
        )
    }

    /// Forgets old failures so the table stays small.
    package func purge(olderThan window: Duration) async throws {
        let since = Timestamp.micros(Date()) - Int64(window.components.seconds) * 1_000_000
        try await store.database.raw("DELETE FROM login_failures WHERE failed_at <= \(bind: since)").run()
    }
}

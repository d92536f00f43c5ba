import SQLKit

/// Installation-wide settings, such as the generated secret key.
package struct SettingsRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The stored value, or `make()` stored atomically when there is none (the first writer wins).
    package func value(_ name: String, orInsert make: @Sendable () -> String) async throws -> String {
        try await store.database.raw(
            "INSERT INTO settings (name, value) VALUES (\(bind: name), \(bind: make())) ON CONFLICT (name) DO NOTHING"
        ).run()
        return try await store.database.raw("SELECT value FROM settings WHERE name = \(bind: name)").first()!
            .decode(column: "value", as: String.self)
    }
}

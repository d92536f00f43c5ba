import ArgumentParser
import RapportServer
import RapportStore

/// `rapport migrate`: apply pending migrations and exit.
struct Migrate: EnvironmentCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case database }

    func runAsync() async throws {
        let version = try await withRuntime(try database.config(environment: environment)) { runtime in
            try await runtime.store.schemaVersion()
        }
        print("Database is at schema version \(version).")
    }
}

import ArgumentParser
import Logging
import RapportDatabase
import RapportServer
import RapportStore

/// `--database`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "sqlite://PATH or postgres://user:pass@host:port/db (default: $RAPPORT_DATABASE_URL, then sqlite://rapport.sqlite)"
    )
    var database: String?

    /// The configuration from the environment, then flags.
    func config(environment: [String: String], label: String = "rapport.cli") throws -> AppConfig {
        let text =
            database ?? environment["RAPPORT_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? DatabaseURL.defaultText
        var logger = Logger(label: label)
        logger.logLevel = environment["RAPPORT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        var config = AppConfig(database: try DatabaseURL(userText: text), logger: logger)
        try config.apply(environment: environment)
        return config
    }
}

/// Opens the runtime, runs `body`, and closes it whatever happens.
func withRuntime<R: Sendable>(_ config: AppConfig, _ body: (Runtime) async throws -> R) async throws -> R {
    let runtime = try await Runtime.start(config)
    do {
        let result = try await body(runtime)
        await runtime.close()
        return result
    } catch {
        await runtime.close()
        throw error
    }
}

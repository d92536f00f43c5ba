import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RapportServer
import ServiceLifecycle
import UnixSignals

/// `rapport serve`: migrate, then serve the UI and the API until SIGINT or SIGTERM.
struct Serve: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate the database, then serve the web UI and the API.")

    @Option(help: "Address to listen on (default: $RAPPORT_HOST, then 127.0.0.1)") var host: String?
    @Option(help: "Port to listen on, 0 for any free port (default: $RAPPORT_PORT, then 8080)") var port: Int?
    @Option(
        name: .customLong("public-url"),
        help:
            "The address people reach this server at, for invitation links (default: $RAPPORT_PUBLIC_URL, then the address each request came to)"
    ) var publicURL: String?
    @Flag(help: "Fill an empty database with a demo workspace and print how to sign in") var demo = false
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case host, port, publicURL, demo, database }

    func runAsync() async throws {
        var logger = Logger(label: "rapport.server")
        logger.logLevel = environment["RAPPORT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        var config = try database.config(environment: environment, label: "rapport.server")
        config.logger = logger
        if let host { config.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535.") }
            config.port = port
        }
        if let publicURL { config.publicURL = try AppConfig.publicURL(publicURL, name: "--public-url") }
        let runtime = try await Runtime.start(config)
        do {
            var demoLines: [String] = []
            if demo {
                switch try await Demo.seed(runtime) {
                case .created(let email, let password):
                    demoLines = [
                        "Demo workspace ready. Sign in with:", "  email:    \(email)", "  password: \(password)",
                    ]
                case .alreadyHasData:
                    demoLines = ["The database already has data; --demo changed nothing."]
                }
            }
            let lines = demoLines
            let host = config.host
            let app = try await buildApplication(runtime) { port in
                print("Rapport is listening on http://\(host):\(port)")
                for line in lines { print(line) }
                fflush(nil)
            }
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            await runtime.close()
        } catch {
            await runtime.close()
            throw error
        }
    }
}

import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportServer

/// The `rapport` command line. Exit codes: 0 done, 1 refused or failed (one readable line on standard
/// error), 2 usage error.
@main
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Rapport, a self-hosted CRM server.",
        subcommands: [
            Serve.self, Migrate.self, UserGroup.self, TokenGroup.self, Import.self, Export.self, Bench.self,
            BenchWorker.self,
        ])

    static func main() async {
        LoggingSystem.bootstrap { LineLogHandler(label: $0) }
        let code = await runMain(
            Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        Foundation.exit(code)
    }

    /// Parses and runs a command line; returns the exit code. Tests call this in process.
    static func runMain(_ arguments: [String], environment: [String: String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any EnvironmentCommand {
                command.environment = environment; try await command.runAsync(); return 0
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            return report(error)
        }
    }

    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as RapportError:
            printError("rapport: \(error.detail)")
            return 1
        case let error as ConfigError:
            printError("rapport: \(error.description)")
            return 1
        default:
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            if code == .validationFailure {
                printError(message)
                return 2
            }
            if let exit = error as? ExitCode { return exit.rawValue }
            printError("rapport: \(message.isEmpty ? "failed (\(type(of: error)))" : message)")
            return 1
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

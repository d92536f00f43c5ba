import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportServer

/// A command that reads `RAPPORT_*` settings from an environment passed in (the process's, or a test's).
protocol EnvironmentCommand: AsyncParsableCommand {
    var environment: [String: String] { get set }
    func runAsync() async throws
}

extension EnvironmentCommand {
    mutating func run() async throws {
        try await runAsync()
    }
}

package import Foundation

/// The built `rapport` binary run as a child process, for tests of exit codes, output and signals.
package final class RapportProcess: @unchecked Sendable {
    package let process = Process()
    private let lock = NSLock()
    private static let starting = NSLock()
    private var out = Data()
    private var err = Data()
    /// Pipes that reached their end (standard output, standard error).
    private var closed = 0

    /// The `rapport` executable next to the test bundle.
    package static var binary: URL {
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])].compactMap { $0 }
        for candidate in candidates {
            var directory = candidate.deletingLastPathComponent()
            for _ in 0..<4 {
                let binary = directory.appendingPathComponent("rapport")
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
                directory = directory.deletingLastPathComponent()
            }
        }
        return URL(fileURLWithPath: ".build/debug/rapport")
    }

    /// Starts `rapport ARGUMENTS` with `environment` added to a minimal environment.
    package init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = Self.binary
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "RAPPORT_BCRYPT_COST": "4", "RAPPORT_LOG_LEVEL": "warning"]
        env.merge(environment) { _, new in new }
        process.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        // One start at a time: Foundation's `Process.run` on Linux crashed the test process now and then
        // (a bad pointer in its copy of the environment) when tests started processes at once.
        try Self.starting.withLock { try process.run() }
        // Each pipe is read to its end by a thread of its own with blocking reads: readabilityHandler's
        // dispatch sources crashed the test process now and then on Linux when a pipe closed while its
        // source was registered (swift-corelibs-libdispatch #949).
        for (handle, isOutput) in [(stdout.fileHandleForReading, true), (stderr.fileHandleForReading, false)] {
            let reader = Thread { [weak self] in
                // (`read` returns what is there as soon as there is some, 0 at the end; it is retried when
                // a signal interrupts it, where FileHandle's `availableData` stops the whole test process)
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break }
                    let data = Data(buffer[0..<count])
                    self?.lock.withLock {
                        if isOutput { self?.out.append(data) } else { self?.err.append(data) }
                    }
                }
                self?.lock.withLock { self?.closed += 1 }
            }
            reader.start()
        }
    }

    package var standardOutput: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    package var standardError: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits for the process to end and returns its exit code.
    package func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TimedOut(what: "rapport \(process.arguments?.joined(separator: " ") ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Let the pipes drain: what the process wrote last may still be on its way (on a busy machine,
        // longer than any fixed pause).
        let drained = ContinuousClock.now + .seconds(10)
        while lock.withLock({ closed < 2 }) && ContinuousClock.now < drained {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Runs a command to the end: its exit code and output.
    package static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        code: Int32, out: String, err: String
    ) {
        let child = try RapportProcess(arguments, environment: environment)
        let code = try await child.wait()
        return (code, child.standardOutput, child.standardError)
    }

    /// Waits until standard output has a line matching `pattern`, and returns the first match.
    package func waitForOutput(_ pattern: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = standardOutput
            if let range = text.range(of: pattern, options: .regularExpression) { return String(text[range]) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimedOut(what: "output matching \(pattern); stdout: \(standardOutput) stderr: \(standardError)")
    }

    /// Starts `rapport serve --port 0` and returns it with its base URL once it listens.
    package static func serve(database: String, extra: [String] = [], environment: [String: String] = [:]) async throws
        -> (RapportProcess, String)
    {
        let server = try RapportProcess(
            ["serve", "--port", "0", "--database", database] + extra, environment: environment)
        let line = try await server.waitForOutput(#"http://127\.0\.0\.1:[0-9]+"#)
        return (server, line)
    }

    package func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

package struct TimedOut: Error, CustomStringConvertible {
    package var what: String
    package var description: String { "timed out waiting for \(what)" }
}

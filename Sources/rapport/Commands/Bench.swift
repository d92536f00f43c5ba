import ArgumentParser
import Foundation
import Logging
import RapportBench
import RapportCore
import RapportDatabase
import RapportServer
import RapportStore

/// `rapport bench [WORKLOAD…]`: generates a deterministic workspace, runs each workload in a child
/// process (the api workload against a `rapport serve` child, loaded by `wrk`), and prints each
/// figure with its reference from the same run.
struct Bench: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the headline workloads against references measured in the same run.",
        discussion: "Workloads: \(Self.all.joined(separator: ", ")) (default: all). Build with -c release.")

    static let all = [
        "import", "orders", "api", "search", "timeline", "export", "visibility", "pipeline", "segment", "delivery",
    ]

    @Argument(help: "Workloads to run") var workloads: [String] = []
    @Option(help: "Contacts in the generated workspace (and rows in the import)") var contacts = 100_000
    @Option(help: "Timeline events in the generated workspace") var events = 1_000_000
    @Option(help: "Order lines in the orders workload's file") var orderLines = 100_000
    @Option(help: "Messages the delivery workload renders and sends (at most one per contact)") var messages = 100_000
    @Option(help: "SMTP sessions the delivery workload and its reference send over") var connections = 8
    @Option(help: "sqlite://PATH or postgres://… (default: a temporary SQLite database, removed afterwards)")
    var database: String?
    @Option(help: "Also write the results as JSON lines to this file") var output: String?
    @Option(help: "Seed of the generated data") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Seconds of load per api operation", visibility: .hidden)) var seconds = 5
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case workloads, contacts, events, orderLines, messages, connections, database, output, seed, seconds
    }

    func validate() throws {
        for workload in workloads where !Self.all.contains(workload) {
            throw ValidationError("Unknown workload \(workload); choose from \(Self.all.joined(separator: ", ")).")
        }
        guard contacts >= 10 else { throw ValidationError("--contacts takes 10 or more.") }
        guard events >= 0 else { throw ValidationError("--events takes 0 or more.") }
        guard orderLines >= 20 else { throw ValidationError("--order-lines takes 20 or more.") }
        guard messages >= 1 else { throw ValidationError("--messages takes 1 or more.") }
        guard (1...64).contains(connections) else { throw ValidationError("--connections takes 1 to 64.") }
        if let database { _ = try DatabaseURL(userText: database) }
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds takes 1 to 600.") }
    }

    func runAsync() async throws {
        let chosen = workloads.isEmpty ? Self.all : Self.all.filter(workloads.contains)
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("rapport-bench-\(RecordID.make().suffix(12))", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = database ?? "sqlite://\(directory.appendingPathComponent("bench.sqlite").path)"
        let kind = url.hasPrefix("postgres") ? "postgres" : "sqlite"
        let info = directory.appendingPathComponent("info.json").path
        var outputHandle: FileHandle?
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw RapportError(.badRequest, "Cannot write \(output).")
            }
            outputHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        }
        defer { try? outputHandle?.close() }
        let common = [
            "--database", url, "--info", info, "--directory", directory.path, "--contacts", String(contacts),
            "--events", String(events), "--seed", String(seed), "--order-lines", String(orderLines),
            "--messages", String(messages), "--connections", String(connections),
        ]
        note("generating \(contacts) contacts and \(events) events (\(kind))…")
        let started = BenchClock.now()
        _ = try await BenchProcess.run(["bench-worker", "setup"] + common)
        note(String(format: "generated in %.1f s", BenchClock.now() - started))
        var results: [BenchResult] = []
        for workload in chosen {
            // Each workload starts with what the ones before it wrote on disk: otherwise its reads and
            // fsyncs would queue behind the kernel's writing back of gigabytes (the generated data, an
            // import of a million rows).
            sync()
            note("running \(workload)…")
            let lines: [BenchResult]
            if workload == "api" || workload == "visibility" {
                lines = try await BenchAPI(
                    url: url, info: try BenchInfo.load(from: URL(fileURLWithPath: info)), directory: directory,
                    database: kind, seconds: seconds, visibility: workload == "visibility"
                ).run()
            } else {
                let text = try await BenchProcess.run(["bench-worker", workload] + common)
                lines = try text.split(separator: "\n").map {
                    try JSONDecoder().decode(BenchResult.self, from: Data($0.utf8))
                }
            }
            for line in lines {
                results.append(line)
                if let outputHandle {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    outputHandle.write(try encoder.encode(line) + Data("\n".utf8))
                }
            }
        }
        print(BenchTable.render(results))
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data("bench: \(text)\n".utf8))
    }
}

/// `rapport bench-worker TASK …`: one workload in its own process, its results as JSON lines.
struct BenchWorker: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-worker", abstract: "Run one bench workload (used by rapport bench).",
        shouldDisplay: false)

    @Argument var task: String
    @Option var database: String
    @Option var info: String
    @Option var directory: String
    @Option var contacts: Int
    @Option var events: Int
    @Option var seed: UInt64
    @Option var orderLines = 100_000
    @Option var messages = 100_000
    @Option var connections = 8
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case task, database, info, directory, contacts, events, seed, orderLines, messages, connections
    }

    func runAsync() async throws {
        var config = AppConfig(database: try DatabaseURL(userText: database), logger: .init(label: "rapport.bench"))
        config.logger.logLevel = .warning
        config.emailConnections = connections
        let kind = database.hasPrefix("postgres") ? "postgres" : "sqlite"
        let infoURL = URL(fileURLWithPath: info)
        let folder = URL(fileURLWithPath: directory)
        if task == "api" || task == "visibility" {
            // (a server of its own against the database as it is: for profiling a workload on a kept file)
            let results = try await BenchAPI(
                url: database, info: try BenchInfo.load(from: infoURL), directory: folder, database: kind, seconds: 5,
                visibility: task == "visibility"
            ).run()
            try results.forEach(Self.print)
            return
        }
        try await withRuntime(config) { runtime in
            if task == "setup" {
                let generated = try await BenchData.populate(
                    runtime, contacts: contacts, events: events, seed: seed)
                try generated.save(to: infoURL)
                return
            }
            let workloads = BenchWorkloads(runtime: runtime, info: try BenchInfo.load(from: infoURL), database: kind)
            switch task {
            case "import": try Self.print(try await workloads.importRows(contacts, directory: folder))
            case "orders": try Self.print(try await workloads.importOrders(orderLines, directory: folder))
            case "search": try Self.print(try await workloads.search())
            case "timeline": try Self.print(try await workloads.timeline())
            case "export": try Self.print(try await workloads.export(directory: folder))
            // (as many deals as contacts, a tenth of them open, about five stage transitions each)
            case "pipeline": for result in try await workloads.pipeline(deals: contacts) { try Self.print(result) }
            case "segment": for result in try await workloads.segment() { try Self.print(result) }
            case "delivery":
                for result in try await workloads.delivery(
                    messages: messages, connections: connections, directory: folder)
                {
                    try Self.print(result)
                }
            // (not in `rapport bench`: the database's share of the visibility workload's search, for profiling)
            case "visibility-store": for result in try await workloads.visibilityStore() { try Self.print(result) }
            default: throw ValidationError("Unknown task \(task).")
            }
        }
    }

    /// One result as a JSON line on standard output.
    static func print(_ result: BenchResult) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Swift.print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}

/// Child processes of this executable.
enum BenchProcess {
    static var executable: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

    /// Runs this executable with `arguments`; its standard output, or an error with its last line.
    static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = await Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let line =
                String(decoding: errors, as: UTF8.self).split(separator: "\n").last
                ?? "exit \(process.terminationStatus)"
            throw RapportError(.badRequest, "bench \(arguments.prefix(2).joined(separator: " ")) failed: \(line)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The results as a table.
enum BenchTable {
    static func render(_ results: [BenchResult]) -> String {
        func number(_ value: Double?, _ digits: Int = 1) -> String {
            guard let value else { return "–" }
            return value >= 1000 ? String(Int(value.rounded())) : String(format: "%.\(digits)f", value)
        }
        let header = ["workload", "ops", "seconds", "per second", "p50 ms", "p99 ms", "peak MB", "reference", "ratio"]
        var rows = [header]
        for result in results {
            let reference =
                result.referencePerSecond.map { "\(number($0))/s" }
                ?? result.referenceP99Ms.map { "p99 \(number($0, 2)) ms" } ?? "–"
            rows.append([
                result.workload, String(result.operations), number(result.seconds, 2), number(result.perSecond),
                number(result.p50Ms, 2), number(result.p99Ms, 2), number(result.peakRSSMB), reference,
                number(result.ratio, 2),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 0
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

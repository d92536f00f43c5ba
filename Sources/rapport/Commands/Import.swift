import ArgumentParser
import Foundation
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices

/// `rapport import contacts|companies|products|orders FILE [--dry-run] [--strict] [--json] [--map COLUMN=FIELD …] [--workspace NAME]`
struct Import: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import contacts, companies, products or order lines from a CSV file and print what happened.")

    @Argument(help: "contacts, companies, products or orders (one row per order line)") var object: String
    @Argument(help: "The CSV file") var file: String
    @Flag(help: "Check and count without writing") var dryRun = false
    @Flag(help: "Write nothing when any row is rejected") var strict = false
    @Flag(help: "Print the report as JSON") var json = false
    @Option(help: "COLUMN=FIELD (or custom.KEY, or - to ignore the column); repeatable") var map: [String] = []
    @Option(help: "Workspace name; may be left out while there is one workspace") var workspace: String?
    @Option(help: "Rows written per transaction (smaller batches hold the write lock for less time)")
    var batchSize = 2000
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case object, file, dryRun, strict, json, map, workspace, batchSize, database }

    func validate() throws {
        guard let type = ObjectCatalog.named(object), type.importable || type.name == ObjectType.orders.name else {
            let importable = ObjectCatalog.all.filter { $0.importable || $0.name == ObjectType.orders.name }
            throw ValidationError("Import one of: \(importable.map(\.name).joined(separator: ", ")).")
        }
        for item in map where !item.contains("=") { throw ValidationError("--map takes COLUMN=FIELD.") }
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size takes 1 to 100000.") }
    }

    func runAsync() async throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw RapportError(.badRequest, "Cannot read \(file).")
        }
        var overrides: [String: String] = [:]
        for item in map {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            overrides[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let total = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0
        let showProgress = isatty(STDERR_FILENO) == 1
        let report = try await withRuntime(try database.config(environment: environment)) { runtime in
            let chosen = try await WorkspaceChoice.resolve(workspace, runtime: runtime)
            let options = Importer.Options(dryRun: dryRun, strict: strict, map: overrides, batchSize: batchSize)
            if object == ObjectType.orders.name {
                return try await OrderImporter(
                    runtime.services, viewer: .system(chosen.id), actor: Actor(.import, id: nil), options: options
                ).run(file: url) { bytes in Self.showProgress(bytes, total: total, shown: showProgress) }
            }
            let importer = Importer(
                runtime.services, schema: ObjectCatalog.named(object)!, viewer: .system(chosen.id),
                actor: Actor(.import, id: nil),
                options: options)
            return try await importer.run(file: url) { bytes in
                Self.showProgress(bytes, total: total, shown: showProgress)
            }
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        if json {
            let data = try JSONEncoder().encode(report)
            print(String(decoding: data, as: UTF8.self))
        } else if let lines = report.lines {
            print(
                "orders: created \(report.created), updated \(report.updated), unchanged \(report.unchanged), rejected \(report.rejected), duplicates \(report.duplicates); lines \(lines), skipped \(report.skipped), products created \(report.productsCreated ?? 0)"
            )
        } else {
            print(
                "created \(report.created), updated \(report.updated), unchanged \(report.unchanged), rejected \(report.rejected), duplicates \(report.duplicates), skipped \(report.skipped), companies created \(report.companiesCreated)"
            )
        }
        if !json {
            if !report.ignoredColumns.isEmpty {
                print("ignored columns: \(report.ignoredColumns.joined(separator: ", "))")
            }
            for error in report.errors.prefix(50) { print("row \(error.row), \(error.column): \(error.message)") }
            if report.errors.count > 50 { print("… and \(report.errors.count - 50) more") }
        }
    }

    /// A progress bar on standard error, when it is a terminal.
    static func showProgress(_ bytes: Int64, total: Int64, shown: Bool) {
        guard shown, total > 0 else { return }
        let percent = Int(Double(bytes) / Double(total) * 100)
        let bar = String(repeating: "█", count: percent / 4) + String(repeating: "·", count: 25 - percent / 4)
        FileHandle.standardError.write(Data("\r\(bar) \(percent)%".utf8))
    }
}

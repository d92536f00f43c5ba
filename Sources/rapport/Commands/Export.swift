import ArgumentParser
import Foundation
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices

/// `rapport export contacts|companies [--format csv|jsonl] [--workspace NAME]`: streamed to standard output.
struct Export: EnvironmentCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a workspace's contacts or companies to standard output.")

    @Argument(help: "contacts, companies or products") var object: String
    @Option(help: "csv or jsonl") var format: String = "csv"
    @Option(help: "Workspace name; may be left out while there is one workspace") var workspace: String?
    @OptionGroup var database: DatabaseOptions
    var environment: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case object, format, workspace, database }

    func validate() throws {
        guard ObjectCatalog.named(object) != nil else {
            throw ValidationError("Export one of: \(ObjectCatalog.names.joined(separator: ", ")).")
        }
        guard Exporter.Format(rawValue: format) != nil else { throw ValidationError("--format must be csv or jsonl.") }
    }

    func runAsync() async throws {
        try await withRuntime(try database.config(environment: environment)) { runtime in
            let chosen = try await WorkspaceChoice.resolve(workspace, runtime: runtime)
            let exporter = Exporter(
                runtime.services, schema: ObjectCatalog.named(object)!,
                format: Exporter.Format(rawValue: format)!)
            try await exporter.run(.system(chosen.id)) { chunk in
                FileHandle.standardOutput.write(Data(chunk))
            }
        }
    }
}

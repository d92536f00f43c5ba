import Foundation
import HTTPTypes
package import Hummingbird
import NIOCore
package import RapportCore
package import RapportServices

/// An export streamed as a download: the API's `/exports` and the list pages' export button.
package enum ExportResponse {
    /// The streamed response for an export.
    /// - Parameter filter: only what a list shows, its filters and search words.
    package static func make(
        _ services: Services, viewer: Viewer, object: String?, format: String?,
        filter: (query: ListQuery, search: [String])? = nil
    ) throws -> Response {
        var issues: [FieldIssue] = []
        let schema = ObjectCatalog.named(object ?? "")
        if schema == nil {
            issues.append(FieldIssue("object", "Object must be one of \(ObjectCatalog.names.joined(separator: ", "))."))
        }
        let parsed = Exporter.Format(rawValue: format ?? "csv")
        if parsed == nil { issues.append(FieldIssue("format", "Format must be csv or jsonl.")) }
        guard let schema, let parsed, issues.isEmpty else { throw RapportError.invalid(issues) }
        // (refused before the download starts: once it has, only its end can say something went wrong)
        _ = try viewer.scope(.export, on: schema)
        if let filter { try RecordService(services, schema: schema).requireReadable(filter.query, viewer) }
        let exporter = Exporter(services, schema: schema, format: parsed)
        let name = "\(schema.name).\(parsed == .csv ? "csv" : "jsonl")"
        return Response(
            status: .ok,
            headers: [
                .contentType: exporter.contentType, .contentDisposition: "attachment; filename=\"\(name)\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody { writer in
                try await exporter.run(viewer, filter: filter) { chunk in
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }
}

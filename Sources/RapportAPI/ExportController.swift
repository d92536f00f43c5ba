import Foundation
import HTTPTypes
package import Hummingbird
import NIOCore
import RapportCore

/// `GET /api/v1/exports?object=contacts|companies&format=csv|jsonl`, streamed.
package struct ExportController: Sendable {
    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        api.get("exports", use: export)
    }

    /// The streamed response for an export; shared with the web page's export button.
    package static func response(_ services: Services, workspaceID: String, object: String?, format: String?) throws
        -> Response
    {
        var issues: [FieldIssue] = []
        let schema: RecordSchema? = object == "contacts" ? .contacts : object == "companies" ? .companies : nil
        if schema == nil { issues.append(FieldIssue("object", "Object must be contacts or companies.")) }
        let parsed = Exporter.Format(rawValue: format ?? "csv")
        if parsed == nil { issues.append(FieldIssue("format", "Format must be csv or jsonl.")) }
        guard let schema, let parsed, issues.isEmpty else { throw RapportError.invalid(issues) }
        let exporter = Exporter(services, schema: schema, format: parsed)
        let name = "\(schema.object).\(parsed == .csv ? "csv" : "jsonl")"
        return Response(
            status: .ok,
            headers: [
                .contentType: exporter.contentType, .contentDisposition: "attachment; filename=\"\(name)\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody { writer in
                try await exporter.run(workspaceID: workspaceID) { chunk in
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try Self.response(
            services, workspaceID: principal.workspace.id,
            object: request.uri.queryParameters["object"].map(String.init),
            format: request.uri.queryParameters["format"].map(String.init))
    }
}

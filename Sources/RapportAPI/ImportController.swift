import Foundation
import HTTPTypes
package import Hummingbird
import NIOCore
import NIOFoundationCompat
import RapportCore
package import RapportHTTP
package import RapportServices

/// `POST /api/v1/imports?object=contacts|companies&dry_run=&strict=&map=COLUMN:FIELD…` with a `text/csv`
/// body, streamed to a temporary file (CSV bodies have their own, larger limit) and imported from there.
package struct ImportController: Sendable {
    let services: Services
    /// The largest CSV body accepted.
    package static let bodyLimit: Int64 = 4 << 30

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>) {
        api.post("imports", use: importFile)
    }

    static func flag(_ text: String?, name: String, issues: inout [FieldIssue]) -> Bool {
        switch text {
        case nil, "false", "0": return false
        case "true", "1": return true
        default:
            issues.append(FieldIssue(name, "Must be true or false."))
            return false
        }
    }

    @Sendable func importFile(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let parameters = QueryItems.parse(request.uri.query)
        var issues: [FieldIssue] = []
        let object = parameters.last { $0.name == "object" }?.value
        let schema = ObjectCatalog.named(object ?? "").flatMap { $0.importable ? $0 : nil }
        if schema == nil {
            let names = ObjectCatalog.all.filter(\.importable).map(\.name)
            issues.append(FieldIssue("object", "Object must be one of \(names.joined(separator: ", "))."))
        }
        let dryRun = Self.flag(parameters.last { $0.name == "dry_run" }?.value, name: "dry_run", issues: &issues)
        let strict = Self.flag(parameters.last { $0.name == "strict" }?.value, name: "strict", issues: &issues)
        var map: [String: String] = [:]
        for item in parameters where item.name == "map" {
            guard let colon = item.value.lastIndex(of: ":") else {
                issues.append(FieldIssue("map", "Use map=COLUMN:FIELD."))
                continue
            }
            map[String(item.value[..<colon])] = String(item.value[item.value.index(after: colon)...])
        }
        if let type = request.headers[.contentType]?.lowercased(),
            !(type.hasPrefix("text/csv") || type.hasPrefix("text/plain") || type.hasPrefix("multipart/form-data"))
        {
            issues.append(
                FieldIssue("Content-Type", "Send the file as text/csv or as the part file of multipart/form-data."))
        }
        guard let schema, issues.isEmpty else { throw RapportError.invalid(issues) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rapport-import-\(RecordID.make()).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try await Upload.save(request, to: file, limit: Self.bodyLimit)
        let importer = Importer(
            services, schema: schema, viewer: principal.viewer,
            actor: Actor(.api, id: principal.user.id),
            options: Importer.Options(dryRun: dryRun, strict: strict, map: map))
        let report = try await importer.run(file: file)
        return try JSONCoding.response(report)
    }
}

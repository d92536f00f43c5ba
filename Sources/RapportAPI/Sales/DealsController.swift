import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// What deals have beyond the generic record routes: `POST /api/v1/deals/{id}/move`.
package struct DealsController: Sendable {
    let services: Services
    var deals: RecordService { RecordService(services, schema: .deals) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        idempotent.post("deals/:id/move", use: move)
    }

    /// `{"stage_id", "lost_reason"?}` moves the deal to a stage of its pipeline (a lost stage needs the
    /// reason); `If-Match` is honoured as for a patch.
    @Sendable func move(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let stage = body.string("stage_id")
        var issues = body.issues
        for key in body.members.keys.sorted() where !["stage_id", "lost_reason"].contains(key) {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if stage == nil, !issues.contains(where: { $0.field == "stage_id" }) {
            issues.append(FieldIssue("stage_id", "This field is required."))
        }
        guard issues.isEmpty, let stage else { throw RapportError.invalid(issues) }
        let before = try await deals.get(principal.viewer, id: id)
        var patch: [String: JSONValue] = ["stage_id": .string(stage)]
        if let reason = body.members["lost_reason"] { patch["lost_reason"] = reason }
        // (the stage must be one of the deal's pipeline: a move never changes pipeline)
        patch["pipeline_id"] = before["pipeline_id"]
        let record = try await deals.update(
            principal.viewer, id: id, patch: patch,
            expectedVersion: try RecordsController.expectedVersion(request, id: id),
            actor: RecordsController.actor(principal))
        return try JSONCoding.response(
            RecordBody(record: record, schema: .deals),
            headers: [.eTag: ETag.make(id: record.id, version: record.version)])
    }
}

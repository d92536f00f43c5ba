import Foundation
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/settings/workspace`: the workspace's id, name and time zone; everyone reads them, owners and admins
/// change the time zone.
package struct WorkspaceSettingsController: Sendable {
    let services: Services
    var workspaces: WorkspaceService { WorkspaceService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("settings/workspace", use: get)
        idempotent.put("settings/workspace", use: put)
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(Self.body(try await workspaces.get(principal)))
    }

    /// `{"time_zone": "Europe/Copenhagen"}`.
    @Sendable func put(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageWorkspace)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        for key in body.members.keys.sorted() where key != "time_zone" {
            body.append(FieldIssue(key, "Unknown field."))
        }
        let zone = body.string("time_zone")
        if zone == nil, body.members["time_zone"] == nil {
            body.append(FieldIssue("time_zone", "This field is required."))
        }
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        return try JSONCoding.response(Self.body(try await workspaces.setTimeZone(principal, zone)))
    }

    static func body(_ settings: WorkspaceService.Settings) -> JSONValue {
        .object([
            "id": .string(settings.id), "name": .string(settings.name), "time_zone": .string(settings.timeZone),
        ])
    }
}

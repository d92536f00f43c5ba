import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/teams`: every user reads them; owners and admins make, change and delete them.
package struct TeamsController: Sendable {
    let services: Services
    var teams: TeamService { TeamService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("teams", use: list)
        idempotent.post("teams", use: create)
        api.get("teams/:id", use: get)
        idempotent.patch("teams/:id", use: patch)
        idempotent.delete("teams/:id", use: delete)
        idempotent.post("teams/:id/members", use: addMember)
        idempotent.delete("teams/:id/members/:user_id", use: removeMember)
    }

    func respond(_ team: Team, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            TeamBody(team), id: team.id, version: team.version, collection: "/api/v1/teams", status: status)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(
            ListBody(data: try await teams.all(principal).map(TeamBody.init), nextCursor: nil))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try respond(try await teams.get(principal, id: try context.parameters.require("id")))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageTeams)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let lead = body.string("lead_id")
        let members = body.strings("member_ids")
        var issues = body.issues
        for key in body.members.keys.sorted() where !["name", "lead_id", "member_ids"].contains(key) {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if name == nil, !issues.contains(where: { $0.field == "name" }) {
            issues.append(FieldIssue("name", "This field is required."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let team = try await teams.create(principal, name: name, leadID: lead?.lowercased(), memberIDs: members ?? [])
        return try respond(team, status: .created)
    }

    /// A JSON merge patch of `name`, `lead_id` (null: nobody leads) and `member_ids` (the whole list).
    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        let members = body.strings("member_ids")
        var issues = body.issues
        var lead: String??
        switch body.members["lead_id"] {
        case .none: lead = nil
        case .some(.null): lead = .some(nil)
        case .some(.string(let text)): lead = .some(text.lowercased())
        case .some(let other):
            issues.append(FieldIssue("lead_id", "Expected a string or null, not \(other.typeName)."))
        }
        for key in body.members.keys.sorted() where !["name", "lead_id", "member_ids"].contains(key) {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let current = try await teams.get(principal, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        let team = try await teams.update(
            principal, id: id, name: name, leadID: lead, memberIDs: members,
            expectedVersion: request.headers[.ifMatch] == nil ? nil : current.version)
        return try respond(team)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await teams.delete(principal, id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    /// `{"user_id"}` joins the team.
    @Sendable func addMember(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let user = body.string("user_id")
        var issues = body.issues
        for key in body.members.keys.sorted() where key != "user_id" {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if user == nil, !issues.contains(where: { $0.field == "user_id" }) {
            issues.append(FieldIssue("user_id", "This field is required."))
        }
        guard issues.isEmpty, let user else { throw RapportError.invalid(issues) }
        _ = try await teams.get(principal, id: id)
        return try respond(
            try await teams.update(
                principal, id: id, name: nil, leadID: nil, memberIDs: nil, addMembers: [user.lowercased()]))
    }

    /// The user leaves the team (and stops leading it).
    @Sendable func removeMember(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let user = try context.parameters.require("user_id").lowercased()
        let team = try await teams.get(principal, id: id)
        guard team.memberIDs.contains(user) else { throw RapportError.notFound("The member") }
        return try respond(
            try await teams.update(principal, id: id, name: nil, leadID: nil, memberIDs: nil, removeMembers: [user]))
    }
}

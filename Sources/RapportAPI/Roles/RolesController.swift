import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/roles`: the built-in roles (read-only, their id is their name) and the workspace's own.
package struct RolesController: Sendable {
    let services: Services
    var roles: RoleService { RoleService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("roles", use: list)
        idempotent.post("roles", use: create)
        api.get("roles/:id", use: get)
        idempotent.patch("roles/:id", use: patch)
        idempotent.delete("roles/:id", use: delete)
    }

    func respond(_ role: CustomRole, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONCoding.resource(
            RoleBody(role), id: role.id, version: role.version, collection: "/api/v1/roles", status: status)
    }

    static let builtInRefusal = RapportError(.forbidden, "Built-in roles cannot be changed; make a role of your own.")

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let custom = try await roles.all(principal)
        return try JSONCoding.response(
            ListBody(data: Role.allCases.map(RoleBody.init(builtIn:)) + custom.map(RoleBody.init), nextCursor: nil))
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        if let role = Role(rawValue: id) { return try JSONCoding.response(RoleBody(builtIn: role)) }
        return try respond(try await roles.get(principal, id: id))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageRoles)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        var issues = body.issues
        for key in body.members.keys.sorted() where !["name", "permissions"].contains(key) {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let role = try await roles.create(principal, name: name, permissions: body.members["permissions"])
        return try respond(role, status: .created)
    }

    /// A merge patch of `name` and `permissions` (the whole set of rules, as on creation).
    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        if Role(rawValue: id) != nil { throw Self.builtInRefusal }
        try Access(principal).require(.manageRoles)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let name = body.string("name")
        var issues = body.issues
        if body.members["permissions"] == .null {
            issues.append(FieldIssue("permissions", "Expected an object of rules by object name, not null."))
        }
        for key in body.members.keys.sorted() where !["name", "permissions"].contains(key) {
            issues.append(FieldIssue(key, "Unknown field."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let current = try await roles.get(principal, id: id)
        try ETag.check(request, current: ETag.make(id: current.id, version: current.version))
        let role = try await roles.update(
            principal, id: id, name: name, permissions: body.members["permissions"],
            expectedVersion: request.headers[.ifMatch] == nil ? nil : current.version)
        return try respond(role)
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        if Role(rawValue: id) != nil { throw Self.builtInRefusal }
        try await roles.delete(principal, id: id)
        return Response(status: .noContent)
    }
}

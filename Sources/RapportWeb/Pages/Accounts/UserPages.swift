import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Users of the workspace, for owners and admins: the list and a form that adds one.
struct UserPages: Sendable {
    let accounts: AccountService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.users), use: usersPage)
        group.post(RouterPath(WebPath.users), use: createUser)
    }

    @Sendable func usersPage(_ request: Request, context: AppContext) async throws -> Response {
        try await users(request: request, context: context)
    }

    func users(
        form: [String: String] = [:], errors: [FieldIssue] = [], created: Bool = false, request: Request,
        context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageUsers)
        let messages = pages.catalog.table(principal.user.language)
        let rows = try await accounts.users(of: principal).items.map { user in
            UsersView.Row(
                name: user.name, email: user.email,
                role: messages["role_\(user.role.rawValue)"] ?? user.role.rawValue,
                language: messages["language_\(user.language.rawValue)"] ?? user.language.rawValue)
        }
        let selectedRole = form["role"] ?? Role.member.rawValue
        let roles = Role.allCases.filter { Access(principal).allows(.grant($0)) }.map { role in
            Option(
                value: role.rawValue, label: messages["role_\(role.rawValue)"] ?? role.rawValue,
                selected: role.rawValue == selectedRole)
        }
        let view = UsersView(
            users: rows, roles: roles, form: .init(email: form["email"], name: form["name"]),
            errors: Pages.errorMap(errors), created: created)
        return pages.render(
            view, request: request, context: context,
            status: errors.isEmpty ? (created ? .created : .ok) : .unprocessableContent, title: "users")
    }

    @Sendable func createUser(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            _ = try await accounts.createUser(
                workspaceID: principal.workspace.id,
                draft: UserDraft(
                    email: form["email"], name: form["name"], role: form["role"], password: form["password"]),
                actor: principal.user)
            return try await users(created: true, request: request, context: context)
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            let issues = error.fields.isEmpty ? [FieldIssue("email", error.detail)] : error.fields
            return try await users(form: form, errors: issues, request: request, context: context)
        }
    }
}

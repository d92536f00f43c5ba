import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Users of the workspace, for owners and admins: the list and a form that adds one, and the open
/// invitations (made, renewed and revoked by `InvitePages`).
struct UserPages: Sendable {
    let accounts: AccountService
    let invites: InviteService
    let roles: RoleService
    let teams: TeamService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.users), use: usersPage)
        group.post(RouterPath(WebPath.users), use: createUser)
        group.post(RouterPath(WebPath.userRole(":id")), use: changeRole)
        group.post(RouterPath(WebPath.userStatus(":id")), use: changeStatus)
    }

    @Sendable func usersPage(_ request: Request, context: AppContext) async throws -> Response {
        try await users(request: request, context: context)
    }

    func users(
        form: [String: String] = [:], errors: [FieldIssue] = [], created: Bool = false,
        invite: InviteFormState = InviteFormState(), request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageUsers)
        let messages = pages.catalog.table(principal.user.language)
        let dates = Dates(language: principal.user.language, messages: messages)
        let access = Access(principal)
        // The roles the viewer may give: the built-in ones they may grant, then the workspace's own
        // (whose holders count as members, which owners and admins may both grant).
        let custom = access.allows(.grant(.member)) ? try await self.roles.all(principal) : []
        func roleOptions(selected: String) -> [Option] {
            Role.allCases.filter { access.allows(.grant($0)) }.map {
                Option(
                    value: $0.rawValue, label: messages["role_\($0.rawValue)"] ?? $0.rawValue,
                    selected: $0.rawValue == selected)
            } + custom.map { Option(value: $0.id, label: $0.name, selected: $0.id == selected) }
        }
        var teamNames: [String: [String]] = [:]
        for team in try await teams.all(principal) {
            for member in team.memberIDs { teamNames[member, default: []].append(team.name) }
        }
        let separator = messages["list_separator"] ?? ", "
        let rows = try await accounts.users(of: principal).items.map { user in
            let manageable = user.id != principal.user.id && (user.role != .owner || access.allows(.grant(.owner)))
            return UsersView.Row(
                name: user.name, email: user.email,
                role: user.customRole?.name ?? messages["role_\(user.role.rawValue)"] ?? user.role.rawValue,
                teams: (teamNames[user.id] ?? []).joined(separator: separator).nonEmpty,
                language: messages["language_\(user.language.rawValue)"] ?? user.language.rawValue,
                active: user.deactivatedAt == nil,
                roles: manageable ? roleOptions(selected: user.roleKey) : [],
                manageable: manageable, rolePath: WebPath.userRole(user.id), statusPath: WebPath.userStatus(user.id))
        }
        let roles = roleOptions(selected: form["role"] ?? Role.member.rawValue)
        let inviteRole = invite.role ?? Role.member.rawValue
        let inviteRoles = Role.allCases.filter { access.allows(.grant($0)) }.map { role in
            Option(
                value: role.rawValue, label: messages["role_\(role.rawValue)"] ?? role.rawValue,
                selected: role.rawValue == inviteRole)
        }
        let now = dates.now
        let inviteRows = try await invites.open(of: principal).items.map { open in
            UsersView.InviteRow(
                email: open.email, role: messages["role_\(open.role.rawValue)"] ?? open.role.rawValue,
                expiresAt: Timestamp.rfc3339(open.expiresAt), expiresDisplay: dates.exact(open.expiresAt),
                expired: open.status(at: now) == .expired, renewable: access.allows(.grant(open.role)),
                renewPath: WebPath.renewInvite(open.id), revokePath: WebPath.revokeInvite(open.id))
        }
        let days = Int(invites.lifetime.components.seconds / 86_400)
        let lead = (messages["invites_lead"] ?? "").replacingOccurrences(
            of: "{days}", with: Numbers.format(max(days, 1), principal.user.language))
        let view = UsersView(
            users: rows, roles: roles, form: .init(email: form["email"], name: form["name"]),
            errors: Pages.errorMap(errors, messages), created: created, invites: inviteRows,
            hasInvites: !inviteRows.isEmpty,
            invitesLead: lead, inviteRoles: inviteRoles, inviteEmail: invite.email, inviteErrors: invite.errors,
            newLink: invite.newLink.map {
                UsersView.NewLink(
                    email: $0.invite.email, link: $0.link, expiresDisplay: dates.exact($0.invite.expiresAt))
            },
            invitePath: WebPath.invites)
        let status: HTTPResponse.Status =
            !errors.isEmpty || !invite.errors.isEmpty
            ? .unprocessableContent : created || invite.newLink != nil ? .created : .ok
        return pages.render(view, request: request, context: context, status: status, title: "users")
    }

    @Sendable func changeRole(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        _ = try await accounts.changeRole(
            of: try context.parameters.require("id"), to: form["role"] ?? "", by: principal)
        return pages.redirect(WebPath.users, flash: Flash("role_changed"))
    }

    @Sendable func changeStatus(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let active = form["active"] == "true"
        _ = try await accounts.setActive(try context.parameters.require("id"), active, by: principal)
        return pages.redirect(WebPath.users, flash: Flash(active ? "user_reactivated" : "user_deactivated"))
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

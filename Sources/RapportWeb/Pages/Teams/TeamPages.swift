import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → teams: every user reads the teams with their leads and members; owners and admins make,
/// rename and delete them, choose their leads and add or take out members.
struct TeamPages: Sendable {
    let teams: TeamService
    let accounts: AccountService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.teams), use: index)
        group.post(RouterPath(WebPath.teams), use: create)
        group.get(RouterPath(WebPath.team(":id")), use: editForm)
        group.post(RouterPath(WebPath.team(":id")), use: save)
        group.post(RouterPath(WebPath.addTeamMember(":id")), use: addMember)
        group.post(RouterPath(WebPath.removeTeamMember(":id", ":user")), use: removeMember)
        group.get(RouterPath(WebPath.deleteTeam(":id")), use: confirmDelete)
        group.post(RouterPath(WebPath.deleteTeam(":id")), use: delete)
    }

    /// The signed-in user, when they may change teams (the forms are for them only).
    func manager(_ context: AppContext) throws -> Principal {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageTeams)
        return principal
    }

    /// What a create or edit form holds: typed, or read from a team.
    struct Typed {
        var name = ""
        var leadID = ""
        var memberIDs: [String] = []

        init() {}

        init(_ team: Team) {
            name = team.name
            leadID = team.leadID ?? ""
            memberIDs = team.memberIDs
        }

        init(_ form: FormData) {
            name = form.last["name"] ?? ""
            leadID = form.last["lead_id"] ?? ""
            memberIDs = form.all("member_ids")
        }
    }

    /// The workspace's active users to choose from, and the names of everyone a team names (a member who
    /// was deactivated since still has one).
    func people(_ principal: Principal, teams: [Team]) async throws -> (
        choices: [(id: String, name: String)], names: [String: String]
    ) {
        let choices = try await accounts.choices(workspaceID: principal.workspace.id)
        var names = Dictionary(choices.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let missing = Set(teams.flatMap { $0.memberIDs + ($0.leadID.map { [$0] } ?? []) }).filter { names[$0] == nil }
        if !missing.isEmpty {
            names.merge(try await accounts.names(workspaceID: principal.workspace.id, ids: Array(missing))) { a, _ in a
            }
        }
        return (choices, names)
    }

    /// The choices of a form: a lead (or none), and each user's box.
    static func choices(_ typed: Typed, users: [(id: String, name: String)], messages: [String: String]) -> (
        leads: [Option], members: [TeamsView.Choice]
    ) {
        let leads =
            [Option(value: "", label: messages["team_no_lead"] ?? "—", selected: typed.leadID.isEmpty)]
            + users.map { Option(value: $0.id, label: $0.name, selected: $0.id == typed.leadID) }
        let chosen = Set(typed.memberIDs.map { $0.lowercased() })
        let members = users.map { TeamsView.Choice(id: $0.id, name: $0.name, checked: chosen.contains($0.id)) }
        return (leads, members)
    }

    @Sendable func index(_ request: Request, context: AppContext) async throws -> Response {
        try await page(typed: Typed(), errors: [], request: request, context: context)
    }

    func page(
        typed: Typed, errors: [FieldIssue], alert: String? = nil, status: HTTPResponse.Status? = nil,
        request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let canManage = Access(principal).allows(.manageTeams)
        let all = try await teams.all(principal)
        let (users, names) = try await people(principal, teams: all)
        let language = principal.user.language
        let rows = all.map { team in
            let members = team.memberIDs.map { id in
                TeamsView.Member(
                    name: names[id] ?? "—", lead: id == team.leadID,
                    removePath: canManage ? WebPath.removeTeamMember(team.id, id) : nil)
            }
            let count = team.memberIDs.count
            let others = users.filter { !team.memberIDs.contains($0.id) }
            return TeamsView.Row(
                name: team.name, lead: team.leadID.map { names[$0] ?? "—" },
                members: members, hasMembers: !members.isEmpty,
                memberCount: (messages[count == 1 ? "team_members_one" : "team_members"] ?? "{count}")
                    .replacingOccurrences(of: "{count}", with: Numbers.format(count, language)),
                addPath: canManage && !others.isEmpty ? WebPath.addTeamMember(team.id) : nil,
                addChoices: others.map { Option(value: $0.id, label: $0.name) },
                editPath: canManage ? WebPath.team(team.id) : nil,
                deletePath: canManage ? WebPath.deleteTeam(team.id) : nil)
        }
        let (leads, members) = Self.choices(typed, users: users, messages: messages)
        let view = TeamsView(
            rows: rows, hasRows: !rows.isEmpty, canManage: canManage, name: typed.name, leads: leads,
            members: members, errors: Pages.errorMap(errors, messages), alert: alert)
        return pages.render(
            view, request: request, context: context,
            status: status ?? (errors.isEmpty && alert == nil ? .ok : .unprocessableContent), title: "teams")
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        var request = request
        let typed = Typed(try await Form.readAll(&request))
        do {
            _ = try await teams.create(
                principal, name: typed.name, leadID: typed.leadID.nonEmpty, memberIDs: typed.memberIDs)
            return pages.redirect(WebPath.teams, flash: Flash("team_created"))
        } catch let error as RapportError where error.code == .invalid || error.code == .conflict {
            return try await page(
                typed: typed, errors: Self.issues(error), status: error.code == .conflict ? .conflict : nil,
                request: request, context: context)
        }
    }

    /// A service error's issues; one without any names the form.
    static func issues(_ error: RapportError) -> [FieldIssue] {
        error.fields.isEmpty ? [FieldIssue("form", error.detail)] : error.fields
    }

    @Sendable func editForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let team = try await teams.get(principal, id: try context.parameters.require("id"))
        return try await editPage(team, typed: Typed(team), errors: [], request: request, context: context)
    }

    func editPage(_ team: Team, typed: Typed, errors: [FieldIssue], request: Request, context: AppContext)
        async throws -> Response
    {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        var (users, names) = try await people(principal, teams: [team])
        // A deactivated member stays a box (checked) until someone takes them out.
        for id in team.memberIDs where !users.contains(where: { $0.id == id }) {
            users.append((id, names[id] ?? id))
        }
        let (leads, members) = Self.choices(typed, users: users, messages: messages)
        let errorMap = Pages.errorMap(errors, messages)
        let view = TeamEditView(
            heading: team.name, name: typed.name, leads: leads, members: members, version: team.version,
            action: WebPath.team(team.id), deletePath: WebPath.deleteTeam(team.id), errors: errorMap,
            formError: errorMap["form"])
        return pages.render(
            view, request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent,
            title: "edit_team")
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.readAll(&request)
        let typed = Typed(form)
        do {
            _ = try await teams.update(
                principal, id: id, name: typed.name, leadID: .some(typed.leadID.nonEmpty),
                memberIDs: typed.memberIDs, expectedVersion: form.last["version"].flatMap { Int64($0) })
            return pages.redirect(WebPath.teams, flash: Flash("team_saved"))
        } catch let error as RapportError where [.invalid, .conflict, .stale].contains(error.code) {
            return try await editPage(
                try await teams.get(principal, id: id), typed: typed, errors: Self.issues(error), request: request,
                context: context)
        }
    }

    @Sendable func addMember(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let id = try context.parameters.require("id")
        var request = request
        let user = try await Form.read(&request)["user_id"] ?? ""
        do {
            _ = try await teams.update(
                principal, id: id, name: nil, leadID: nil, memberIDs: nil, addMembers: [user])
        } catch let error as RapportError where error.code == .invalid {
            let messages = pages.catalog.table(principal.user.language)
            return try await page(
                typed: Typed(), errors: [],
                alert: error.fields.first.map { Pages.translate($0, messages) } ?? error.detail, request: request,
                context: context)
        }
        return pages.redirect(WebPath.teams, flash: Flash("team_member_added"))
    }

    @Sendable func removeMember(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let user = try context.parameters.require("user")
        _ = try await teams.update(
            principal, id: try context.parameters.require("id"), name: nil, leadID: nil, memberIDs: nil,
            removeMembers: [user.lowercased()])
        return pages.redirect(WebPath.teams, flash: Flash("team_member_removed"))
    }

    @Sendable func confirmDelete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        let team = try await teams.get(principal, id: try context.parameters.require("id"))
        let messages = pages.catalog.table(principal.user.language)
        return pages.render(
            ConfirmDeleteView(
                question: messages["delete_team_question"] ?? "", name: team.name,
                consequence: messages["delete_team_consequence"], path: WebPath.deleteTeam(team.id),
                cancel: WebPath.teams, error: nil),
            request: request, context: context, title: "confirm_delete")
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try manager(context)
        try await teams.delete(principal, id: try context.parameters.require("id"))
        return pages.redirect(WebPath.teams, flash: Flash("team_deleted"))
    }
}

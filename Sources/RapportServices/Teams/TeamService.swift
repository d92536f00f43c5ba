import Foundation
package import RapportCore
import RapportStore

/// Teams: everyone in the workspace sees them (they name records' teams); owners and admins change them.
package struct TeamService: Sendable {
    let services: Services
    var teams: TeamRepository { TeamRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The workspace's teams, by name.
    package func all(_ principal: Principal) async throws -> [Team] {
        try await teams.all(workspaceID: principal.workspace.id)
    }

    /// A team of the workspace.
    /// - Throws: `notFound`.
    package func get(_ principal: Principal, id: String) async throws -> Team {
        guard let team = try await teams.find(workspaceID: principal.workspace.id, id: id) else {
            throw RapportError.notFound("The team")
        }
        return team
    }

    /// Names of some teams by id; unknown ids are left out.
    package func names(workspaceID: String, ids: [String]) async throws -> [String: String] {
        let wanted = Set(ids)
        return Dictionary(
            uniqueKeysWithValues: try await teams.all(workspaceID: workspaceID).filter { wanted.contains($0.id) }
                .map { ($0.id, $0.name) })
    }

    /// The ids of the teams a user is in, their primary team first.
    package func teams(of userID: String, workspaceID: String) async throws -> [String] {
        try await teams.teams(of: userID, workspaceID: workspaceID)
    }

    /// Creates a team.
    /// - Throws: `forbidden` for a user who may not manage teams; `invalid` for a bad name, an unknown
    ///   member or a lead who is not a member; `conflict` for a taken name.
    package func create(_ principal: Principal, name: String?, leadID: String?, memberIDs: [String]) async throws
        -> Team
    {
        try Access(principal).require(.manageTeams)
        let name = try Team.validName(name)
        let members = Self.unique(memberIDs)
        try await requireUsers(members, in: principal)
        try Team.checkLead(leadID, members: members)
        return try await teams.create(
            workspaceID: principal.workspace.id, name: name, leadID: leadID, memberIDs: members)
    }

    /// Changes a team's name, lead or members (each when given; `leadID` `.some(nil)` clears the lead).
    /// A member who leaves stops leading it.
    package func update(
        _ principal: Principal, id: String, name: String?, leadID: String??, memberIDs: [String]?,
        addMembers: [String] = [], removeMembers: [String] = [], expectedVersion: Int64? = nil
    ) async throws -> Team {
        try Access(principal).require(.manageTeams)
        let name = try name.map { try Team.validName($0) }
        try await requireUsers((memberIDs ?? []) + addMembers, in: principal)
        if let leadID, let lead = leadID { try await requireUsers([lead], in: principal, field: "lead_id") }
        let removing = Set(removeMembers)
        return try await teams.update(
            workspaceID: principal.workspace.id, id: id, expectedVersion: expectedVersion,
            check: { team in try Team.checkLead(team.leadID, members: team.memberIDs) },
            change: { team in
                if let name { team.name = name }
                if let memberIDs { team.memberIDs = Self.unique(memberIDs) }
                team.memberIDs = Self.unique(team.memberIDs + addMembers).filter { !removing.contains($0) }
                if let leadID { team.leadID = leadID }
                if let lead = team.leadID, !team.memberIDs.contains(lead), leadID == nil { team.leadID = nil }
            })
    }

    /// Deletes a team; its records belong to no team.
    /// - Throws: `forbidden`, `notFound`.
    package func delete(_ principal: Principal, id: String) async throws {
        try Access(principal).require(.manageTeams)
        guard try await teams.delete(workspaceID: principal.workspace.id, id: id) else {
            throw RapportError.notFound("The team")
        }
    }

    /// Every id must be a user of the workspace.
    func requireUsers(_ ids: [String], in principal: Principal, field: String = "member_ids") async throws {
        for id in Set(ids) {
            guard RecordID.isWellFormed(id),
                try await services.accounts.user(workspaceID: principal.workspace.id, id: id) != nil
            else {
                throw RapportError.invalid([FieldIssue(field, key: "no_such_user", "No such user in this workspace.")])
            }
        }
    }

    static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.map { $0.lowercased() }.filter { seen.insert($0).inserted }
    }
}

import Foundation
package import RapportCore
import RapportDatabase
package import SQLKit

/// Teams and their members. A team's name is unique in its workspace, whatever its case.
package struct TeamRepository: Sendable {
    let store: Store

    package init(store: Store) {
        self.store = store
    }

    private var db: any SQLDatabase { store.database }

    /// The workspace's teams, by name.
    package func all(workspaceID: String, on database: (any SQLDatabase)? = nil) async throws -> [Team] {
        let database = database ?? db
        let rows = try await database.raw(
            "SELECT id, workspace_id, name, lead_id, version, created_at, updated_at FROM teams WHERE workspace_id = \(bind: workspaceID) ORDER BY name_key, id"
        ).all()
        let members = try await database.raw(
            "SELECT team_id, user_id FROM team_members WHERE workspace_id = \(bind: workspaceID) ORDER BY joined_at, user_id"
        ).all()
        var byTeam: [String: [String]] = [:]
        for row in members {
            byTeam[try row.decode(column: "team_id", as: String.self), default: []].append(
                try row.decode(column: "user_id", as: String.self))
        }
        return try rows.map { try Self.team(from: $0, members: byTeam) }
    }

    /// A team of the workspace; nil for none.
    package func find(workspaceID: String, id: String, on database: (any SQLDatabase)? = nil) async throws -> Team? {
        guard RecordID.isWellFormed(id) else { return nil }
        let database = database ?? db
        guard
            let row = try await database.raw(
                "SELECT id, workspace_id, name, lead_id, version, created_at, updated_at FROM teams WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)"
            ).first()
        else { return nil }
        let members = try await database.raw(
            "SELECT user_id FROM team_members WHERE workspace_id = \(bind: workspaceID) AND team_id = \(bind: id) ORDER BY joined_at, user_id"
        ).all().map { try $0.decode(column: "user_id", as: String.self) }
        return try Self.team(from: row, members: [id: members])
    }

    /// The teams a user is in, the one they joined first (their primary team) first.
    package func teams(of userID: String, workspaceID: String) async throws -> [String] {
        try await db.raw(
            "SELECT team_id FROM team_members WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID) ORDER BY joined_at, team_id"
        ).all().map { try $0.decode(column: "team_id", as: String.self) }
    }

    /// Creates a team with its members.
    /// - Throws: `conflict` when the workspace has a team of that name.
    package func create(workspaceID: String, name: String, leadID: String?, memberIDs: [String]) async throws -> Team {
        defer { store.tokens.forgetAll() }  // (an authenticated token carries its user's teams)
        let now = Timestamp.micros(Date())
        let id = RecordID.make()
        return try await writing(name: name) {
            try await store.transaction { database in
                try await database.raw(
                    """
                    INSERT INTO teams (workspace_id, id, name, name_key, lead_id, version, created_at, updated_at)
                    VALUES (\(bind: workspaceID), \(bind: id), \(bind: name), \(bind: SearchKey.normalize(name)), \(bind: leadID), 1, \(bind: now), \(bind: now))
                    """
                ).run()
                try await add(memberIDs, to: id, workspaceID: workspaceID, at: now, on: database)
                return Team(
                    id: id, workspaceID: workspaceID, name: name, leadID: leadID, memberIDs: memberIDs, version: 1,
                    createdAt: now, updatedAt: now)
            }
        }
    }

    /// Changes a team: its name, lead and members (each when given); `check` sees the team as it will be
    /// and may refuse it.
    /// - Throws: `notFound`, `stale` when `expectedVersion` differs, `conflict` for a taken name.
    package func update(
        workspaceID: String, id: String, expectedVersion: Int64?, check: @escaping @Sendable (Team) throws -> Void,
        change: @escaping @Sendable (inout Team) -> Void
    ) async throws -> Team {
        defer { store.tokens.forgetAll() }  // (an authenticated token carries its user's teams)
        return try await writing(name: nil) {
            try await store.transaction { database in
                guard let before = try await find(workspaceID: workspaceID, id: id, on: database) else {
                    throw RapportError.notFound("The team")
                }
                if let expectedVersion, expectedVersion != before.version {
                    throw RapportError(.stale, "The team was changed by someone else; reload it and try again.")
                }
                var team = before
                change(&team)
                try check(team)
                guard team != before else { return before }
                team.version += 1
                team.updatedAt = max(Timestamp.micros(Date()), before.updatedAt + 1)
                do {
                    try await database.raw(
                        """
                        UPDATE teams SET name = \(bind: team.name), name_key = \(bind: SearchKey.normalize(team.name)),
                            lead_id = \(bind: team.leadID), version = \(bind: team.version), updated_at = \(bind: team.updatedAt)
                        WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                        """
                    ).run()
                } catch where DatabaseErrors.isUniqueViolation(error) {
                    throw Self.nameTaken(team.name)
                }
                let gone = before.memberIDs.filter { !team.memberIDs.contains($0) }
                if !gone.isEmpty {
                    try await database.raw(
                        "DELETE FROM team_members WHERE workspace_id = \(bind: workspaceID) AND team_id = \(bind: id) AND user_id IN (\(binds: gone))"
                    ).run()
                }
                let new = team.memberIDs.filter { !before.memberIDs.contains($0) }
                try await add(new, to: id, workspaceID: workspaceID, at: team.updatedAt, on: database)
                return team
            }
        }
    }

    /// Deletes a team; records of its team belong to none.
    /// - Returns: false when there was no such team.
    package func delete(workspaceID: String, id: String) async throws -> Bool {
        guard RecordID.isWellFormed(id) else { return false }
        defer { store.tokens.forgetAll() }  // (an authenticated token carries its user's teams)
        return try await store.transaction { database in
            let deleted = try await database.raw(
                "DELETE FROM teams WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id"
            ).all()
            guard !deleted.isEmpty else { return false }
            try await database.raw(
                "DELETE FROM team_members WHERE workspace_id = \(bind: workspaceID) AND team_id = \(bind: id)"
            ).run()
            let now = Timestamp.micros(Date())
            for type in ObjectCatalog.all where type.isOwned {
                try await database.raw(
                    "UPDATE \(ident: type.name) SET team_id = NULL, version = version + 1, updated_at = \(bind: now) WHERE workspace_id = \(bind: workspaceID) AND team_id = \(bind: id)"
                ).run()
            }
            try await database.raw(
                "UPDATE search_docs SET team_id = NULL WHERE workspace_id = \(bind: workspaceID) AND team_id = \(bind: id)"
            ).run()
            return true
        }
    }

    private func add(
        _ userIDs: [String], to teamID: String, workspaceID: String, at time: Int64, on database: any SQLDatabase
    ) async throws {
        for (offset, userID) in userIDs.enumerated() {
            try await database.raw(
                "INSERT INTO team_members (workspace_id, team_id, user_id, joined_at) VALUES (\(bind: workspaceID), \(bind: teamID), \(bind: userID), \(bind: time + Int64(offset)))"
            ).run()
        }
    }

    /// `body`, with a taken name answered as a conflict.
    private func writing<T: Sendable>(name: String?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch where DatabaseErrors.isUniqueViolation(error) {
            throw Self.nameTaken(name ?? "")
        }
    }

    static func nameTaken(_ name: String) -> RapportError {
        RapportError(
            .conflict, "A team named \(name) already exists.",
            fields: [FieldIssue("name", key: "team_name_taken", "Another team has this name.")])
    }

    static func team(from row: any SQLRow, members: [String: [String]]) throws -> Team {
        let id = try row.decode(column: "id", as: String.self)
        return Team(
            id: id, workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            leadID: try row.decode(column: "lead_id", as: String?.self), memberIDs: members[id] ?? [],
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

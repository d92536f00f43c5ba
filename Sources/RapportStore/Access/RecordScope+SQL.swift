package import RapportCore
package import RapportDatabase
package import SQLKit

/// Record visibility as SQL: the one condition every query of an owned object's records carries, so that
/// a record outside a user's scope is neither listed, found by id, searched, exported, counted nor
/// changed. `RecordScope.includes` says the same in Swift; a store test holds the two together.
extension RecordScope {
    /// The workspace and visibility condition, with `?` placeholders, on columns named with `prefix`
    /// (`"d."` for search documents).
    /// - Parameters:
    ///   - owned: whether the rows have owners; rows without (products) are all visible.
    ///   - ownerColumn: the column naming a row's owner (`ObjectType.ownerField`: a task's `assignee_id`).
    package func condition(prefix: String = "", owned: Bool = true, ownerColumn: String = "owner_id") -> (
        sql: String, binds: [DBValue]
    ) {
        let workspace = DBValue.text(workspaceID)
        var sql = "\(prefix)workspace_id = ?"
        var binds = [workspace]
        if let (extra, extraBinds) = visibilityCondition(prefix: prefix, owned: owned, ownerColumn: ownerColumn) {
            sql += " AND " + extra
            binds += extraBinds
        }
        return (sql, binds)
    }

    /// The visibility condition alone (no workspace); nil when every record is visible.
    package func visibilityCondition(prefix: String = "", owned: Bool = true, ownerColumn: String = "owner_id") -> (
        sql: String, binds: [DBValue]
    )? {
        guard owned, let userID, visibility != .all else { return nil }
        let owner = prefix + ownerColumn
        let user = DBValue.text(userID)
        let workspace = DBValue.text(workspaceID)
        switch visibility {
        case .all: return nil
        case .own: return ("\(owner) = ?", [user])
        case .team:
            // The user's own, their teammates' (members of any team of theirs), and their teams': named
            // when known, else looked up.
            if let team {
                let owners = Array(Set(team.teammates + [userID])).sorted()
                var sql = "(\(owner) IN (\(RowSession.placeholders(owners.count)))"
                var binds = owners.map(DBValue.text)
                if !team.teams.isEmpty {
                    sql += " OR \(prefix)team_id IN (\(RowSession.placeholders(team.teams.count)))"
                    binds += team.teams.map(DBValue.text)
                }
                return (sql + ")", binds)
            }
            return (
                "(\(owner) = ? OR \(owner) IN (SELECT m2.user_id FROM team_members m1 JOIN team_members m2 ON m2.workspace_id = m1.workspace_id AND m2.team_id = m1.team_id WHERE m1.workspace_id = ? AND m1.user_id = ?) OR \(prefix)team_id IN (SELECT m3.team_id FROM team_members m3 WHERE m3.workspace_id = ? AND m3.user_id = ?))",
                [user, workspace, user, workspace, user]
            )
        }
    }

    /// `condition` for a query built with SQLKit.
    package func sql(prefix: String = "", owned: Bool = true, ownerColumn: String = "owner_id") -> SQLQueryString {
        let (text, binds) = condition(prefix: prefix, owned: owned, ownerColumn: ownerColumn)
        return Self.query(text, binds)
    }

    /// SQL with `?` placeholders and its binds as a SQLKit query string.
    static func query(_ text: String, _ binds: [DBValue]) -> SQLQueryString {
        var query: SQLQueryString = ""
        var values = binds.makeIterator()
        for (index, part) in text.split(separator: "?", omittingEmptySubsequences: false).enumerated() {
            if index > 0 {
                switch values.next() ?? .null {
                case .text(let text): query = query + "\(bind: text)"
                case .int(let number): query = query + "\(bind: number)"
                case .double(let number): query = query + "\(bind: number)"
                case .null: query = query + "NULL"
                }
            }
            query = query + "\(unsafeRaw: String(part))"
        }
        return query
    }
}

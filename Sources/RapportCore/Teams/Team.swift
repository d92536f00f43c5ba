import Foundation

/// A group of users in a workspace (a sales team, a region): records owned by its members, or given
/// to the team, are visible to every member of a role with `team` visibility.
package struct Team: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    package var name: String
    /// The member who leads it; nil when nobody does.
    package var leadID: String?
    /// Its members' user ids, in the order they joined.
    package var memberIDs: [String]
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64

    package init(
        id: String, workspaceID: String, name: String, leadID: String?, memberIDs: [String], version: Int64,
        createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.leadID = leadID
        self.memberIDs = memberIDs
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A team's name, trimmed: 1 to 100 characters.
    /// - Throws: `invalid` naming `name`.
    package static func validName(_ name: String?) throws -> String {
        let trimmed = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100 else {
            throw RapportError.invalid([FieldIssue("name", key: "team_name", "A team's name must be 1 to 100 characters.")])
        }
        return trimmed
    }

    /// The lead must be a member.
    /// - Throws: `invalid` naming `lead_id`.
    package static func checkLead(_ leadID: String?, members: [String]) throws {
        guard let leadID, !members.contains(leadID) else { return }
        throw RapportError.invalid([
            FieldIssue("lead_id", key: "team_lead_member", "The lead must be a member of the team.")
        ])
    }
}

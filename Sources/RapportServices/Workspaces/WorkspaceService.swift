package import Foundation
package import RapportCore
import RapportStore

/// A workspace's own settings: everyone in it reads them, owners and admins change them. Its time zone is the
/// one segments' relative dates, campaign schedules and (for contacts without their own) quiet hours are read
/// in.
package struct WorkspaceService: Sendable {
    let services: Services
    var repository: WorkspaceSettingsRepository { WorkspaceSettingsRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// What `GET /api/v1/settings/workspace` answers.
    package struct Settings: Sendable, Equatable {
        package var id: String
        package var name: String
        package var timeZone: String
    }

    package func get(_ principal: Principal) async throws -> Settings {
        Settings(
            id: principal.workspace.id, name: principal.workspace.name,
            timeZone: try await timeZoneName(workspaceID: principal.workspace.id))
    }

    /// Sets the workspace's time zone.
    /// - Throws: `forbidden` for members; `invalid` for a name that is not a known IANA zone.
    package func setTimeZone(_ principal: Principal, _ name: String?) async throws -> Settings {
        try Access(principal).require(.manageWorkspace)
        let trimmed = name?.trimmingCharacters(in: .whitespaces) ?? ""
        guard let zone = UserProfile.timeZone(trimmed), TimeZone(identifier: zone) != nil else {
            throw RapportError.invalid([UserProfile.timeZoneIssue])
        }
        try await repository.setTimeZone(workspaceID: principal.workspace.id, zone)
        return try await get(principal)
    }

    /// The workspace's zone's name (`UTC` when unset or unknown).
    package func timeZoneName(workspaceID: String) async throws -> String {
        let name = try await repository.timeZone(workspaceID: workspaceID) ?? "UTC"
        return TimeZone(identifier: name) == nil ? "UTC" : name
    }

    /// The workspace's zone.
    package func timeZone(workspaceID: String) async throws -> TimeZone {
        TimeZone(identifier: try await timeZoneName(workspaceID: workspaceID)) ?? TimeZone(identifier: "UTC")!
    }
}

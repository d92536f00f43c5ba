import RapportCore
import RapportServices
import Testing

@Suite("Who may do what")
struct AccessTests {
    static func user(_ role: Role) -> User {
        User(
            id: "u", workspaceID: "w", email: "u@example.com", name: "U", role: role, language: .en, version: 1,
            createdAt: 0, updatedAt: 0)
    }

    /// Every role against every action, written out: a change to a rule shows up here as a changed row.
    static let cases: [(Role, Access.Action, Bool)] = [
        (.owner, .seeUsers, true), (.admin, .seeUsers, true), (.member, .seeUsers, false),
        (.owner, .manageUsers, true), (.admin, .manageUsers, true), (.member, .manageUsers, false),
        (.owner, .manageCustomFields, true), (.admin, .manageCustomFields, true), (.member, .manageCustomFields, false),
        (.owner, .readAudit, true), (.admin, .readAudit, true), (.member, .readAudit, false),
        (.owner, .grant(.owner), true), (.owner, .grant(.admin), true), (.owner, .grant(.member), true),
        (.admin, .grant(.owner), false), (.admin, .grant(.admin), true), (.admin, .grant(.member), true),
        (.member, .grant(.owner), false), (.member, .grant(.admin), false), (.member, .grant(.member), false),
        (.owner, .manageTeams, true), (.admin, .manageTeams, true), (.member, .manageTeams, false),
        (.owner, .manageRoles, true), (.admin, .manageRoles, true), (.member, .manageRoles, false),
        (.owner, .managePipelines, true), (.admin, .managePipelines, true), (.member, .managePipelines, false),
    ]

    @Test("each role is allowed exactly what the table says", arguments: cases)
    func table(_ role: Role, _ action: Access.Action, _ allowed: Bool) {
        #expect(Access(Self.user(role)).allows(action) == allowed)
    }

    @Test("a refusal is forbidden and says who may, and an allowed action passes", arguments: cases)
    func refusal(_ role: Role, _ action: Access.Action, _ allowed: Bool) throws {
        let access = Access(Self.user(role))
        if allowed {
            try access.require(action)
        } else {
            let error = try #require(throws: RapportError.self) { try access.require(action) }
            #expect(error.code == .forbidden)
            #expect(error.detail.hasPrefix("Only "))
        }
    }
}
